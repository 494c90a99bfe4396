using System.Diagnostics;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Runtime;

namespace CityOps.Twin.Silo.City;

/// <summary>
/// Files the city into the grains when the silo starts: areas from the top down, then every device. A city
/// already filed (same fingerprint) is left as it is, so a restart keeps every alarm, case and status.
/// </summary>
public sealed class CitySeeder(CityRegistry registry, IClusterClient client, ILogger<CitySeeder> logger) : IHostedService
{
    // Devices filed at once: enough to keep the storage busy, few enough not to flood a mailbox.
    private const int Parallelism = 64;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var city = registry.City;
        var fingerprint = city.Fingerprint();
        var import = client.GetGrain<ICityImportGrain>("city");
        if (await import.GetFingerprint() == fingerprint)
        {
            logger.LogInformation("City {City} already filed ({Grids} grids); keeping its live state", city.Name, city.Grids.Count());
            return;
        }

        var started = Stopwatch.GetTimestamp();
        foreach (var level in new[] { AreaLevel.City, AreaLevel.District, AreaLevel.Street })
        {
            foreach (var area in city.Areas.Where(a => a.Level == level))
            {
                await client.GetGrain<IAreaGrain>(area.Code).Define(area);
            }
        }

        var work = city.Grids.Select(g => (Func<Task>)(() => client.GetGrain<IGridGrain>(g.Code).Define(g)))
            .Concat(city.Sensors.Select(s => (Func<Task>)(() => client.GetGrain<ISensorGrain>(s.SensorId).File(s))))
            .Concat(city.Cameras.Select(c => (Func<Task>)(() => client.GetGrain<ICameraGrain>(c.CameraId).File(c))))
            .Concat(city.Elevators.Select(e => (Func<Task>)(() => client.GetGrain<IElevatorGrain>(e.ElevatorId).File(e))));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (file, _) => await file());

        await import.SetFingerprint(fingerprint);
        logger.LogInformation("Filed city {City}: {Grids} grids, {Sensors} sensors, {Cameras} cameras, {Elevators} elevators in {Seconds:0.0} s",
            city.Name, city.Grids.Count(), city.Sensors.Count, city.Cameras.Count, city.Elevators.Count, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
