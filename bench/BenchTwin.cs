using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Live;
using CityOps.Twin.Grains.Signs;
using CityOps.Twin.Silo.Cap;
using CityOps.Twin.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Bench;

/// <summary>
/// The twin's own grains in an Orleans silo of the benchmark's process, over the storage a benchmark chooses, with
/// the silo's catalogues and live feed, and a <see cref="BenchCity"/> defined (its area tree) and filed (every
/// sensor): what the silo does at start, minus HTTP. A benchmark that listens to the city adds its
/// <see cref="ITwinChangeListener"/>s, which hear what the views would.
/// </summary>
internal sealed class BenchTwin : IAsyncDisposable
{
    private readonly IHost _host;
    private int _stopped;

    private BenchTwin(IHost host, BenchCity city)
    {
        _host = host;
        City = city;
        Grains = host.Services.GetRequiredService<IGrainFactory>();
        Calculator = host.Services.GetRequiredService<VitalSignsCalculator>();
    }

    public IGrainFactory Grains { get; }

    public IServiceProvider Services => _host.Services;

    public BenchCity City { get; }

    public VitalSignsCalculator Calculator { get; }

    /// <summary>Starts the silo; returns once its feed is registered (every change after it is heard) and, if asked, the city filed.</summary>
    public static async Task<BenchTwin> StartAsync(BenchCity city, Action<ISiloBuilder> storage, Action<IServiceCollection>? services = null, bool file = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddTwinCatalogues();
        // The alert journal the silo runs: in the bench's database when it has one, so an alarm pays what it pays there.
        builder.Services.AddTwinCap(builder.Configuration);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: LoopbackPort.Free(), gatewayPort: LoopbackPort.Free(), serviceId: "bench-twin", clusterId: $"bench-{Guid.NewGuid():N}");
            storage(silo);
        });
        Silo.Hosting.TwinSiloExtensions.AddTwinFeed(builder.Services);
        services?.Invoke(builder.Services);

        var host = builder.Build();
        await host.StartAsync();
        var twin = new BenchTwin(host, city);
        await host.Services.GetRequiredService<ITwinFeedMembership>().Registered.WaitAsync(TimeSpan.FromMinutes(1));
        if (file)
        {
            await twin.DefineAndFileAsync();
        }
        return twin;
    }

    /// <summary>The twin's storage over one SQLite file, hot states written behind within the silo's windows, as the silo runs it.</summary>
    public static Action<ISiloBuilder> OnSqlite(string path) => silo => silo.AddTwinStorage(storage =>
    {
        storage.Kind = StorageKind.Sqlite;
        storage.ConnectionString = $"Data Source={path}";
        storage.JsonTypes = TwinGrains.StateTypes;
        foreach (var (state, window) in TwinGrains.WriteBehind)
        {
            storage.WriteBehind[state] = window;
        }
    });

    /// <summary>Defines the area tree, top down, and files every sensor into its grid, many at a time.</summary>
    public async Task DefineAndFileAsync()
    {
        foreach (var area in City.Areas.Values.Where(a => a.Level != AreaLevel.Grid).OrderBy(a => a.Level))
        {
            await Grains.GetGrain<IAreaGrain>(area.Code).Define(area);
        }
        await Parallel.ForEachAsync(City.Grids, new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (grid, _) => await Grains.GetGrain<IGridGrain>(grid.Code).Define(grid));
        await Parallel.ForEachAsync(City.SensorFiles, new ParallelOptions { MaxDegreeOfParallelism = 256 },
            async (sensor, _) => await Grains.GetGrain<ISensorGrain>(sensor.SensorId).File(sensor));
        await FeedDeliveredAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>Completes once the feed has handed on everything published so far (the filed devices, say).</summary>
    public Task FeedDeliveredAsync(TimeSpan timeout) => Services.GetRequiredService<TwinFeedCounters>().WhenDeliveredAsync(timeout);

    public Task<VitalSigns> SignsOfAsync(string areaCode) => Grains.GetGrain<IAreaGrain>(areaCode).GetVitalSigns();

    /// <summary>Activations in the silo, as Orleans' management grain counts them.</summary>
    public Task<int> ActivationCountAsync() => Grains.GetGrain<IManagementGrain>(0).GetTotalActivationCount();

    /// <summary>Stops the silo (its write-behind states saved); safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        await _host.StopAsync();
        _host.Dispose();
    }
}
