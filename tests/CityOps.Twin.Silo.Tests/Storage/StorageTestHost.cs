using System.Net;
using System.Net.Sockets;
using CityOps.Twin.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Reminders;
using Orleans.Storage;
using Orleans.TestingHost;

namespace CityOps.Twin.Silo.Tests.Storage;

/// <summary>
/// A real silo (a generic host with Orleans) over a test database, with the twin's storage. Grain timers and
/// reminders run on the test's fake clock; Orleans' own maintenance stays on real time. Several hosts of one test
/// share the database, the clock and the reminder log, as silos restarted over one database would.
/// </summary>
public sealed class StorageTestHost : IAsyncDisposable
{
    public const string ProviderName = TwinStorageOptions.DefaultProviderName;

    private readonly IHost _host;
    private bool _stopped;

    private StorageTestHost(IHost host) => _host = host;

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public Orleans.Runtime.SiloAddress SiloAddress => _host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress;

    public IGrainStorage Storage => _host.Services.GetRequiredKeyedService<IGrainStorage>(ProviderName);

    public IServiceProvider Services => _host.Services;

    public static async Task<StorageTestHost> StartAsync(
        StorageTestDatabase database,
        GrainStorageEngine engine,
        FakeTimeProvider clock,
        ReminderLog reminders,
        string clusterId,
        Action<TwinStorageOptions>? configure = null)
    {
        var host = new HostBuilder()
            .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .ConfigureServices(services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
                services.AddKeyedSingleton<TimeProvider>(ReminderTimeProviderNames.Reminders, clock);
                services.AddSingleton(reminders);
            })
            .UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(cluster =>
                {
                    cluster.ClusterId = clusterId;
                    cluster.ServiceId = "twin-storage-tests";
                });
                var (siloPort, gatewayPort) = (FreePort(), FreePort());
                if (database.Kind == StorageKind.PostgreSql)
                {
                    silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
                }
                else
                {
                    silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "twin-storage-tests", clusterId: clusterId);
                }
                silo.AddTwinStorage(options =>
                {
                    options.Kind = database.Kind;
                    options.ConnectionString = database.ConnectionString;
                    options.Engine = engine;
                    options.JsonTypes = StorageTestJsonContext.Default;
                    options.UseDatabaseClustering = database.Kind == StorageKind.PostgreSql;
                    configure?.Invoke(options);
                });
            })
            .Build();
        await host.StartAsync();
        return new StorageTestHost(host);
    }

    /// <summary>A clean stop: grains deactivate and write-behind states are flushed before it returns.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
