using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Hosting;
using Orleans.Reminders;
using Orleans.Runtime;

namespace CityOps.Twin.Silo.Drills.Engine;

/// <summary>
/// A drill's copy of the city in an Orleans silo of its own, inside the live silo's process: its own ServiceId and
/// ClusterId, localhost clustering on free ports of its own (no gateway: the drill calls in through the silo's own
/// client), memory grain storage and in-memory reminders, so nothing it does reaches the live city's storage or
/// cluster. Grain timers, reminders and grain code read its <see cref="DrillClock"/>; Orleans' own maintenance
/// (membership, directory, activation collection, messaging timeouts) stays on real time, so moving drill time by a
/// day neither expires calls nor declares the silo dead.
/// </summary>
public sealed class DrillSiloHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly DrillWorkLedger _ledger;
    private int _stopped;

    private DrillSiloHost(IHost host, DrillClock clock, DrillWorkLedger ledger, DrillClockDriver driver, string serviceId, int siloPort)
    {
        _host = host;
        _ledger = ledger;
        Clock = clock;
        Driver = driver;
        ServiceId = serviceId;
        SiloPort = siloPort;
    }

    public DrillClock Clock { get; }

    public DrillClockDriver Driver { get; }

    public string ServiceId { get; }

    public int SiloPort { get; }

    public IServiceProvider Services => _host.Services;

    public IGrainFactory GrainFactory => _host.Services.GetRequiredService<IGrainFactory>();

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public static async Task<DrillSiloHost> StartAsync(DrillSiloOptions options, CancellationToken cancellationToken = default)
    {
        var clock = new DrillClock(options.Start);
        var ledger = new DrillWorkLedger();
        clock.Attach(ledger);
        var id = $"{options.Name}-{Guid.NewGuid():N}";
        var serviceId = options.ServiceId ?? id;
        var siloPort = FreePort();

        // No defaults: the drill must not pick up the live silo's configuration (its Orleans section, storage, ports).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var services = builder.Services;
        // Registered before UseOrleans, whose defaults are TryAdd: grain timers, grain code and the reminder service
        // read the drill clock; every other area Orleans resolves by key (KeyedService.AnyKey) reads real time.
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(clock);
        services.AddKeyedSingleton<TimeProvider>(KeyedService.AnyKey, TimeProvider.System);
        services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, clock);
        services.AddKeyedSingleton(ReminderTimeProviderNames.Reminders, clock.Reminders);
        services.AddSingleton(ledger);
        services.AddSingleton<DrillCallTracker>();
        services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<DrillCallTracker>());
        services.AddSingleton<IOutgoingGrainCallFilter>(sp => sp.GetRequiredService<DrillCallTracker>());
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: siloPort, gatewayPort: 0, serviceId: serviceId, clusterId: id);
            silo.AddMemoryGrainStorageAsDefault();
            silo.UseInMemoryReminderService();
            // A reminder due beyond the loading window is dropped and reloaded by the list refresh, which runs on
            // real time: a drill crossing hours in seconds would miss it. The drill keeps every reminder loaded.
            silo.Configure<ReminderOptions>(o => o.ReminderLoadingWindow = TimeSpan.FromDays(3650));
            options.ConfigureSilo?.Invoke(silo);
        });
        // After Orleans' own: the drill's hosted services (its feed's registration) start once the silo is active.
        // One that calls a grain while the silo is still starting meets a failed placement, and Orleans retries
        // placement after a delay on the default clock, the drill clock, which stands still until the drill moves it.
        options.ConfigureServices?.Invoke(services);
        // Last, so that Orleans' instruments (and any other) are made by it: see DrillMeterFactory.
        services.AddSingleton<System.Diagnostics.Metrics.IMeterFactory, DrillMeterFactory>();

        var host = builder.Build();
        try
        {
            ledger.Observe(host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress);
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            ledger.Dispose();
            host.Dispose();
            throw;
        }
        return new DrillSiloHost(host, clock, ledger, new DrillClockDriver(clock, ledger, options.QuiescenceTimeout), serviceId, siloPort);
    }

    /// <summary>Stops the drill's silo; the live silo and other drills go on. Safe to call more than once.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        try
        {
            await _host.StopAsync(cancellationToken);
        }
        finally
        {
            _ledger.Dispose();
            _host.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>A loopback port free now; the silo binds it a moment later (the usual way to get a free port).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
