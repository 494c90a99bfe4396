using System.Diagnostics;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Mode;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Bench;

/// <summary>
/// 平急切换 at city scale: from the commander's switch until the last of a million active sensor grains works by
/// the new rules and every listener of the silo's live feed (a view each) has heard the change. One sensor in a
/// thousand holds a depth that a flood emergency's lower thresholds turn into an alarm, so each switch to emergency
/// opens as many cases and each switch back ends those alarms. The baseline is the floor of any broadcast, measured
/// in the same run: one call to every sensor by the same fan-out. Targets (issue 12): ≤ 100 ms at the demo city's
/// 2,400 sensors, ≤ 2 s at a million.
/// </summary>
internal static class SwitchoverBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        if (quick)
        {
            await RunAtAsync(sensors: 2_000, subscribers: 10, rounds: 2, target: null);
            return;
        }
        await RunAtAsync(sensors: 2_400, subscribers: 200, rounds: 6, target: TimeSpan.FromMilliseconds(100));
        await RunAtAsync(sensors: 1_000_000, subscribers: 200, rounds: 6, target: TimeSpan.FromSeconds(2));
    }

    private static async Task RunAtAsync(int sensors, int subscribers, int rounds, TimeSpan? target)
    {
        var city = new BenchCity(sensors, gridsPerStreet: sensors < 100_000 ? 5 : 25);
        var store = new BenchStateStore();
        var views = new ModeViews(subscribers);
        await using var twin = await BenchTwin.StartAsync(city, store.AddTo, services =>
        {
            for (var i = 0; i < subscribers; i++)
            {
                services.AddSingleton<ITwinChangeListener>(new ModeView(views));
            }
        }, file: false);
        // Waterlogging at 7 cm is normal, blue in a flood emergency; every other reading is well below any threshold.
        double ValueOf(int i) => city.SensorFiles[i].Kind == SensorKind.Waterlogging && i % 1_000 == 0 ? 7 : 1.5;
        var references = city.SensorFiles.Select(s => twin.Grains.GetGrain<ISensorGrain>(s.SensorId)).ToArray();
        ScaleBenchmark.StoreSensors(store, references, city, ValueOf);
        await twin.Grains.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode();
        if (await ScaleBenchmark.ActivateAsync(references, expectedValue: null) != sensors)
        {
            throw new InvalidOperationException("Not every sensor answered with its file after activation.");
        }

        var switchboard = new ModeSwitchboard(city, twin.Grains, twin.Services.GetRequiredService<CityModeCache>(),
            Options.Create(new SwitchoverOptions()), NullLogger<ModeSwitchboard>.Instance);
        var emergency = new ModeSwitch(OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, [], "指挥长", "benchmark");
        var puddles = Enumerable.Range(0, sensors).Where(i => ValueOf(i) == 7).ToArray();

        var switches = new List<double>();
        var floors = new List<double>();
        for (var round = -1; round < rounds; round++)
        {
            var toEmergency = round % 2 != 0;
            var everyView = views.Expect(toEmergency ? OperatingMode.Emergency : OperatingMode.Normal);
            var started = Stopwatch.GetTimestamp();
            await switchboard.SwitchAsync(toEmergency ? emergency : ModeSwitch.ToNormal("指挥长", "benchmark"));
            await everyView.WaitAsync(TimeSpan.FromSeconds(60));
            var switched = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            // In force: each puddle's level follows the mode (checked outside the timing).
            foreach (var i in puddles)
            {
                var level = (await references[i].GetSnapshot())!.Level;
                if ((level != AlarmLevel.None) != toEmergency)
                {
                    throw new InvalidOperationException($"Sensor {city.SensorFiles[i].SensorId} is at {level} after the switch to {(toEmergency ? "emergency" : "normal")}.");
                }
            }

            started = Stopwatch.GetTimestamp();
            await ScaleBenchmark.ActivateAsync(references, expectedValue: null);
            var floor = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (round >= 0)
            {
                switches.Add(switched);
                floors.Add(floor);
            }
        }

        var (switchMedian, floorMedian) = (Measurement.Median(switches), Measurement.Median(floors));
        Measurement.Report($"switchover.in_force_at_{sensors}_sensors_and_{subscribers}_subscribers", switchMedian, "ms (median)");
        Measurement.Report($"switchover.baseline.call_every_sensor_once_at_{sensors}", floorMedian, "ms (median)");
        Measurement.Ratio($"switchover.switch/call_every_sensor_once_at_{sensors}", switchMedian, floorMedian);
        Measurement.Report($"switchover.alarms_started_per_switch_to_emergency_at_{sensors}", puddles.Length, "sensors");
        if (target is { } limit)
        {
            Console.WriteLine($"switchover.target_at_{sensors}: {(switchMedian <= limit.TotalMilliseconds ? "met" : "MISSED")} (≤ {limit.TotalMilliseconds:N0} ms)");
        }
    }

    /// <summary>The views: completes when every one of them has heard a change to the expected mode.</summary>
    private sealed class ModeViews(int count)
    {
        private TaskCompletionSource _all = new();
        private OperatingMode _expected;
        private int _seen;

        public Task Expect(OperatingMode mode)
        {
            _all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _expected = mode;
            Volatile.Write(ref _seen, 0);
            return _all.Task;
        }

        public void Heard(ModeChange change)
        {
            if (change.To.Operating == _expected && Interlocked.Increment(ref _seen) == count)
            {
                _all.TrySetResult();
            }
        }
    }

    /// <summary>One view: a listener of the silo's feed, as the web's feed and the CAP log are.</summary>
    private sealed class ModeView(ModeViews views) : ITwinChangeListener
    {
        public void OnChanges(TwinChanges changes)
        {
            foreach (var change in changes.Modes)
            {
                views.Heard(change);
            }
        }
    }
}
