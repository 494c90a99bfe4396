using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Signs;
using CityOps.Twin.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Bench;

/// <summary>
/// The twin's own grains in a silo of the benchmark's process, over the storage a benchmark chooses, with a
/// <see cref="BenchCity"/> defined (its area tree) and filed (every sensor): what the silo does at start, minus HTTP.
/// </summary>
internal sealed class BenchTwin : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private BenchTwin(ServiceProvider services, BenchCity city)
    {
        _services = services;
        City = city;
        Runtime = services.GetRequiredService<GrainRuntime>();
        Calculator = services.GetRequiredService<VitalSignsCalculator>();
    }

    public GrainRuntime Runtime { get; }

    public BenchCity City { get; }

    public VitalSignsCalculator Calculator { get; }

    public static async Task<BenchTwin> StartAsync(BenchCity city, Action<GrainRuntimeBuilder> storage, VitalSignsOptions? signs = null, bool file = true)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddTwinCatalogues(signs: signs)
            .AddGrainRuntime(b =>
            {
                b.AddTwinGrains();
                storage(b);
            })
            .BuildServiceProvider();
        var twin = new BenchTwin(services, city);
        await twin.Runtime.StartAsync();
        if (file)
        {
            await twin.DefineAndFileAsync();
        }
        return twin;
    }

    /// <summary>Defines the area tree, top down, and files every sensor into its grid, many at a time.</summary>
    public async Task DefineAndFileAsync()
    {
        foreach (var area in City.Areas.Values.Where(a => a.Level != AreaLevel.Grid).OrderBy(a => a.Level))
        {
            await Runtime.GetGrain<IAreaGrain>(area.Code).Define(area);
        }
        await Parallel.ForEachAsync(City.Grids, new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (grid, _) => await Runtime.GetGrain<IGridGrain>(grid.Code).Define(grid));
        await Parallel.ForEachAsync(City.SensorFiles, new ParallelOptions { MaxDegreeOfParallelism = 256 },
            async (sensor, _) => await Runtime.GetGrain<ISensorGrain>(sensor.SensorId).File(sensor));
        await Runtime.WhenIdleAsync();
    }

    public Task<VitalSigns> SignsOfAsync(string areaCode) => Runtime.GetGrain<IAreaGrain>(areaCode).GetVitalSigns();

    public async ValueTask DisposeAsync()
    {
        await Runtime.StopAsync();
        await _services.DisposeAsync();
    }
}
