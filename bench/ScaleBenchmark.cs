using System.Diagnostics;
using System.Text.Json;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Sensors;

namespace CityOps.Twin.Bench;

/// <summary>
/// A million sensor grains active in one Orleans silo. Each sensor's file and latest reading are in storage first
/// (as after a restart); the benchmark activates every one by a call and measures the managed heap it then holds,
/// the process's working set and the time it took. The baseline is the sensors' state alone: the same stored
/// records read into plain objects in a dictionary, in the same run. What a grain costs beyond its state (Orleans'
/// activation, its grain object and its three states) is the difference. Target: at most 3.5 GB working set.
/// </summary>
internal static class ScaleBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var sensors = quick ? 20_000 : 1_000_000;
        var city = new BenchCity(sensors, gridsPerStreet: quick ? 5 : 25);
        var store = new BenchStateStore();
        await using var twin = await BenchTwin.StartAsync(city, store.AddTo, file: false);
        await twin.Grains.GetGrain<Contracts.Mode.ICityModeGrain>(Contracts.Mode.ICityModeGrain.CityKey).GetMode();
        var references = city.SensorFiles.Select(s => twin.Grains.GetGrain<ISensorGrain>(s.SensorId)).ToArray();
        var payloads = StoreSensors(store, references, city, _ => 1.5);

        // The baseline: the same states, read into objects and kept by id.
        var before = HeapBytes();
        var started = Stopwatch.GetTimestamp();
        var plain = new Dictionary<string, (SensorFileState, SensorLiveState, SensorRecentState)>(sensors);
        for (var i = 0; i < sensors; i++)
        {
            plain[city.SensorFiles[i].SensorId] = (
                JsonSerializer.Deserialize(payloads[i][0].ToMemory().Span, GrainStateJsonContext.Default.SensorFileState)!,
                JsonSerializer.Deserialize(payloads[i][1].ToMemory().Span, GrainStateJsonContext.Default.SensorLiveState)!,
                JsonSerializer.Deserialize(payloads[i][2].ToMemory().Span, GrainStateJsonContext.Default.SensorRecentState)!);
        }
        var plainSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var stateBytes = (HeapBytes() - before) / (double)sensors;
        plain.Clear();
        plain.TrimExcess();

        var activationsBefore = await twin.ActivationCountAsync();
        before = HeapBytes();
        started = Stopwatch.GetTimestamp();
        var active = await ActivateAsync(references);
        var activateSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var grainBytes = (HeapBytes() - before) / (double)sensors;
        var total = HeapBytes();
        var workingSet = Process.GetCurrentProcess().WorkingSet64;
        var activations = await twin.ActivationCountAsync() - activationsBefore;

        if (active != sensors || activations < sensors)
        {
            throw new InvalidOperationException($"{active:N0} of {sensors:N0} sensors answered with their file; {activations:N0} activations.");
        }
        GC.KeepAlive(references);

        Measurement.Report("scale.activations", activations, "grains");
        Measurement.Report("scale.bytes_per_active_grain", grainBytes, "bytes");
        Measurement.Report("scale.bytes_per_sensor_state_alone", stateBytes, "bytes");
        Measurement.Report("scale.bytes_per_grain_beyond_state", grainBytes - stateBytes, "bytes");
        Measurement.Ratio("scale.grain/state_alone", grainBytes, stateBytes);
        Measurement.Report("scale.managed_heap_total", total / 1e9, "GB (the stored states included)");
        Measurement.Report("scale.process_working_set", workingSet / 1e9, "GB");
        Measurement.Report("scale.activation_time", activateSeconds, "s");
        Measurement.Report("scale.activation_rate", sensors / activateSeconds, "grains/s");
        Measurement.Report("scale.state_read_alone_time", plainSeconds, "s");
        Measurement.Ratio("scale.activation/state_read_alone", activateSeconds, plainSeconds);
    }

    private static long HeapBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>Stores each sensor's file, latest reading (the value given) and history, as a silo leaves them; returns the payloads.</summary>
    internal static BinaryData[][] StoreSensors(BenchStateStore store, ISensorGrain[] references, BenchCity city, Func<int, double> valueOf)
    {
        var at = ReadingWorkload.Epoch;
        var payloads = new BinaryData[city.SensorFiles.Count][];
        for (var i = 0; i < payloads.Length; i++)
        {
            var grain = references[i].GetGrainId();
            var recent = new SensorRecentState();
            recent.Readings.Add(at, valueOf(i));
            payloads[i] =
            [
                store.Put("file", grain, new SensorFileState { File = city.SensorFiles[i] }),
                store.Put("live", grain, new SensorLiveState { Value = valueOf(i), MeasuredAt = at }),
                store.Put("recent", grain, recent),
            ];
        }
        return payloads;
    }

    /// <summary>
    /// Every sensor asked for its snapshot, from a few callers at once: the first call of each activates it.
    /// Returns how many answered with the expected latest value (all that answered, when none is expected).
    /// </summary>
    internal static async Task<long> ActivateAsync(ISensorGrain[] sensors, double? expectedValue = 1.5)
    {
        var callers = Environment.ProcessorCount * 4;
        var answered = await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            long filed = 0;
            var waiting = new List<Task<SensorSnapshot?>>(256);
            for (var i = c; i < sensors.Length; i += callers)
            {
                waiting.Add(sensors[i].GetSnapshot());
                if (waiting.Count == 256)
                {
                    filed += (await Task.WhenAll(waiting)).Count(s => s is not null && (expectedValue is null || s.Value == expectedValue));
                    waiting.Clear();
                }
            }
            return filed + (await Task.WhenAll(waiting)).Count(s => s is not null && (expectedValue is null || s.Value == expectedValue));
        })));
        return answered.Sum();
    }
}
