using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Silo.City;

/// <summary>Files a city into a silo's grains: areas from the top down, then grids and every device. The live silo and each drill's copy use it.</summary>
public static class CityFiler
{
    // Devices filed at once: a filing is a few grain calls and storage round trips, mostly waiting; 256 in flight filed the
    // demo city in 5 s (memory) and 10 s (SQLite) on two cores, against 18 s with 64.
    private const int Parallelism = 256;

    public static int Count(CityModel city) => city.Areas.Count + city.Sensors.Count + city.Cameras.Count + city.Elevators.Count;

    public static async Task FileAsync(CityModel city, IClusterClient client, Action filedOne, CancellationToken cancellationToken)
    {
        foreach (var level in new[] { AreaLevel.City, AreaLevel.District, AreaLevel.Street })
        {
            foreach (var area in city.Areas.Where(a => a.Level == level))
            {
                await client.GetGrain<IAreaGrain>(area.Code).Define(area);
                filedOne();
            }
        }

        var work = city.Grids.Select(g => (Func<Task>)(() => client.GetGrain<IGridGrain>(g.Code).Define(g)))
            .Concat(city.Sensors.Select(s => (Func<Task>)(() => client.GetGrain<ISensorGrain>(s.SensorId).File(s))))
            .Concat(city.Cameras.Select(c => (Func<Task>)(() => client.GetGrain<ICameraGrain>(c.CameraId).File(c))))
            .Concat(city.Elevators.Select(e => (Func<Task>)(() => client.GetGrain<IElevatorGrain>(e.ElevatorId).File(e))));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (file, _) =>
        {
            await file();
            filedOne();
        });
    }
}
