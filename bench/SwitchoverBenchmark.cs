using System.Diagnostics;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Bench;

/// <summary>
/// 平急切换 at city scale: how long a switch takes to be in force at every sensor (the switchboard records it
/// and tells each sensor its rules), against the floor of any broadcast: one call to every sensor (reading its
/// snapshot) in the same run. The target is a second for the demo city's 2,400 sensors.
/// </summary>
internal static class SwitchoverBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var sensors = quick ? 200 : 2_400;
        var rounds = quick ? 2 : 9;

        await using var services = new ServiceCollection()
            .AddLogging()
            .AddTwinCatalogues()
            .AddGrainRuntime(b =>
            {
                b.AddTwinGrains();
                b.UseInMemoryStorage();
            })
            .BuildServiceProvider();
        var runtime = services.GetRequiredService<GrainRuntime>();
        await runtime.StartAsync();
        var city = new BenchCity(sensors);
        foreach (var sensor in city.Sensors.Values)
        {
            var grain = runtime.GetGrain<ISensorGrain>(sensor.SensorId);
            await grain.File(sensor);
            await grain.Record(new SensorReading(sensor.SensorId, DateTimeOffset.UtcNow, 7));
        }
        var switchboard = new ModeSwitchboard(city, runtime, Options.Create(new SwitchoverOptions()), NullLogger<ModeSwitchboard>.Instance);
        var emergency = new ModeSwitch(OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, [], "指挥长", "benchmark");
        var toEmergency = true;

        var switches = new List<double>();
        var touches = new List<double>();
        for (var round = -1; round < rounds; round++)
        {
            var started = Stopwatch.GetTimestamp();
            await switchboard.SwitchAsync(toEmergency ? emergency : ModeSwitch.ToNormal("指挥长", "benchmark"));
            var switched = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            toEmergency = !toEmergency;

            started = Stopwatch.GetTimestamp();
            await Task.WhenAll(city.Sensors.Keys.Select(id => runtime.GetGrain<ISensorGrain>(id).GetSnapshot()));
            var touched = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (round >= 0)
            {
                switches.Add(switched);
                touches.Add(touched);
            }
        }
        await runtime.StopAsync();

        var (switchMedian, touchMedian) = (Median(switches), Median(touches));
        Measurement.Report($"switchover.switch_in_force_at_{sensors}_sensors", switchMedian, "ms (median)");
        Measurement.Report($"switchover.call_every_sensor_once", touchMedian, "ms (median)");
        Measurement.Ratio("switchover.switch/call_every_sensor_once", switchMedian, touchMedian);
        if (!quick)
        {
            Console.WriteLine($"switchover.target: {(switchMedian <= 1_000 ? "met" : "MISSED")} (≤ 1,000 ms)");
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    /// <summary>A city of sensors spread over grids of one district, enough for the switchboard.</summary>
    private sealed class BenchCity : ICityDirectory
    {
        public BenchCity(int sensors)
        {
            Areas = Enumerable.Range(0, Math.Max(1, sensors / 2)).Select(i => new AreaDefinition($"G{i}", $"网格 {i}", AreaLevel.Grid, "S1", [], "城运一组"))
                .ToDictionary(a => a.Code, StringComparer.Ordinal);
            var kinds = new[] { SensorKind.Waterlogging, SensorKind.RiverLevel, SensorKind.Rainfall, SensorKind.Tide };
            Sensors = Enumerable.Range(0, sensors)
                .Select(i => new SensorFile($"S-{i:D5}", kinds[i % kinds.Length], $"传感器 {i}", new GeoPoint(121.5 + i * 1e-4, 31.2), $"G{i % Areas.Count}"))
                .ToDictionary(s => s.SensorId, StringComparer.Ordinal);
        }

        public string Name => "bench";

        public IReadOnlyDictionary<string, AreaDefinition> Areas { get; }

        public IReadOnlyDictionary<string, SensorFile> Sensors { get; }

        public IReadOnlyDictionary<string, CameraFile> Cameras { get; } = new Dictionary<string, CameraFile>();

        public IReadOnlyDictionary<string, ElevatorFile> Elevators { get; } = new Dictionary<string, ElevatorFile>();

        public Task Filed => Task.CompletedTask;

        public DeviceKind? KindOf(string deviceId) => Sensors.ContainsKey(deviceId) ? DeviceKind.Sensor : null;

        public string? GridAt(GeoPoint point) => null;

        public Task<IReadOnlyList<NearbyCamera>> NearestCamerasAsync(GeoPoint point, int count, bool onlineOnly = false) => Task.FromResult<IReadOnlyList<NearbyCamera>>([]);

        public IReadOnlyList<NearbySensor> NearestSensors(GeoPoint point, int count) => [];
    }
}
