using System.Diagnostics;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Signs;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Bench;

/// <summary>
/// How fresh the vital signs are: a probe reading sends a flood sensor of district D0 into red alarm (or back), and
/// the time is taken from the moment it is handed to its grain until a listener of the silo's live feed (where the
/// views hear the city) has D0's vital signs with the district's flood severity moved by exactly that sensor's
/// change. Measured under 100,000 readings/s of background load over every other sensor (their alarms come and
/// go, except in D0, so D0 moves only with the probes), and against the same probes on an idle twin in the same
/// run. Target p99 ≤ 250 ms.
/// </summary>
internal static class FreshnessBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var sensors = quick ? 2_000 : 100_000;
        var probes = quick ? 20 : 300;
        var background = quick ? 10_000 : 100_000;
        var city = new BenchCity(sensors, gridsPerStreet: quick ? 5 : 25);
        // The probes: flood sensors of D0; their district sees no other alarm.
        var probeSensors = Enumerable.Range(0, sensors)
            .Where(i => city.DistrictOfGrid[city.GridOf(i)] == 0 && VitalSignsCalculator.IsFloodKind(city.SensorFiles[i].Kind))
            .Take(64).ToArray();
        var probeSet = probeSensors.ToHashSet();
        var workload = new ReadingWorkload(city, SensorRulebook.Default, neverAlarms: i => city.DistrictOfGrid[city.GridOf(i)] == 0);

        using var folder = new TempFolder();
        var watcher = new DistrictWatcher("D0");
        await using var twin = await BenchTwin.StartAsync(city, BenchTwin.OnSqlite(Path.Combine(folder.Path, "twin.db")),
            services => services.AddSingleton<ITwinChangeListener>(watcher));
        var grains = city.SensorFiles.Select(s => twin.Grains.GetGrain<ISensorGrain>(s.SensorId)).ToArray();
        var severity = twin.Calculator.Weights.Severity(AlarmLevel.Red);
        var prober = new Prober(grains, probeSensors, workload, watcher, severity, (await twin.SignsOfAsync("D0")).Counters.FloodSeverity);

        var idle = await prober.RunAsync(probes);
        var idleCalls = prober.Calls.ToList();
        prober.Calls.Clear();

        using var stop = new CancellationTokenSource();
        var load = Task.Run(() => BackgroundAsync(grains, workload, probeSet, background, stop.Token));
        var loaded = await prober.RunAsync(probes);
        stop.Cancel();
        var sent = await load;

        Measurement.Report("freshness.p50_under_load", Percentile(loaded, 0.50), "ms");
        Measurement.Report("freshness.p99_under_load", Percentile(loaded, 0.99), "ms");
        Measurement.Report("freshness.background_load", sent.Rate, "readings/s");
        Measurement.Report("freshness.p50_idle", Percentile(idle, 0.50), "ms");
        Measurement.Report("freshness.p99_idle", Percentile(idle, 0.99), "ms");
        Measurement.Ratio("freshness.p99_under_load/p99_idle", Percentile(loaded, 0.99), Percentile(idle, 0.99));
        Measurement.Report("freshness.p99_probe_call_under_load", Percentile(prober.Calls, 0.99), "ms");
        Measurement.Report("freshness.p99_probe_call_idle", Percentile(idleCalls, 0.99), "ms");
        if (sent.Rate < background * 0.9)
        {
            Console.WriteLine($"freshness.note: the background reached {sent.Rate:N0} of the {background:N0} readings/s asked for");
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    /// <summary>Readings at a steady rate to every sensor but the probes, paced against the clock in slices of 1 ms.</summary>
    private static async Task<(long Sent, double Rate)> BackgroundAsync(ISensorGrain[] grains, ReadingWorkload workload, HashSet<int> probes, int perSecond, CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        long pass = 1;
        var sensor = 0;
        var waiting = new List<Task<ReadingOutcome>>();
        while (!stop.IsCancellationRequested)
        {
            var due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * perSecond);
            while (sent < due)
            {
                if (!probes.Contains(sensor))
                {
                    var call = grains[sensor].Record(new SensorReading(workload.City.SensorFiles[sensor].SensorId, ReadingWorkload.TimeOf(pass), workload.ValueOf(sensor, pass)));
                    if (!call.IsCompleted)
                    {
                        waiting.Add(call);
                    }
                    sent++;
                }
                if (++sensor == grains.Length)
                {
                    (sensor, pass) = (0, pass + 1);
                }
            }
            if (waiting.Count > 256)
            {
                await Task.WhenAll(waiting);
                waiting.Clear();
            }
            await Task.Delay(1, CancellationToken.None);
        }
        await Task.WhenAll(waiting);
        return (sent, sent / Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Sends probes one after another, each flipping one probe sensor after a pause, and takes each one's latency.</summary>
    private sealed class Prober(ISensorGrain[] grains, int[] probeSensors, ReadingWorkload workload, DistrictWatcher watcher, double redSeverity, double startSeverity)
    {
        private readonly bool[] _red = new bool[probeSensors.Length];
        private readonly long[] _pass = new long[probeSensors.Length];
        private double _severity = startSeverity;
        private int _next;

        /// <summary>How long each probe's call took to return (its alarm and case written through).</summary>
        public List<double> Calls { get; } = [];

        public async Task<List<double>> RunAsync(int probes)
        {
            var latencies = new List<double>(probes);
            var random = new Random(probes);
            for (var i = 0; i < probes; i++)
            {
                // Readings come when they come: each probe after a random pause, not on the heels of the last one's publish.
                await Task.Delay(random.Next(50, 150));
                var slot = _next++ % probeSensors.Length;
                var sensor = probeSensors[slot];
                _red[slot] = !_red[slot];
                _severity += _red[slot] ? redSeverity : -redSeverity;
                var seen = watcher.Expect(_severity);
                var value = _red[slot] ? workload.RedValue(sensor) : workload.NormalValue(sensor);
                var sent = Stopwatch.GetTimestamp();
                await grains[sensor].Record(new SensorReading(workload.City.SensorFiles[sensor].SensorId, ReadingWorkload.TimeOf(++_pass[slot]), value));
                Calls.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                var at = await seen.WaitAsync(TimeSpan.FromSeconds(30));
                latencies.Add(Stopwatch.GetElapsedTime(sent, at).TotalMilliseconds);
            }
            return latencies;
        }
    }

    /// <summary>The listener: answers the one expectation outstanding when the district's flood severity reaches it.</summary>
    private sealed class DistrictWatcher(string district) : ITwinChangeListener
    {
        private TaskCompletionSource<long>? _waiting;
        private double _expected;

        public Task<long> Expect(double severity)
        {
            var waiting = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _expected = severity;
            Volatile.Write(ref _waiting, waiting);
            return waiting.Task;
        }

        public void OnChanges(TwinChanges changes)
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var signs in changes.Signs)
            {
                if (signs.Code == district && Volatile.Read(ref _waiting) is { } waiting && Math.Abs(signs.Counters.FloodSeverity - _expected) < 1e-9)
                {
                    waiting.TrySetResult(now);
                }
            }
        }
    }
}
