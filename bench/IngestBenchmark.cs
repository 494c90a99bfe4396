using System.Diagnostics;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;

namespace CityOps.Twin.Bench;

/// <summary>
/// Sensor readings per second applied to the twin: each reading goes to its sensor grain (live state written
/// behind to SQLite, alarms written through, cases opened) and level changes flow up the vital-signs tree. In
/// process, against baseline A (the same aggregates in flat arrays on one thread) and baseline B (each reading
/// inserted into PostgreSQL and the indices recomputed by SQL); then through the silo's HTTP batch API.
/// After the runs, the city's vital signs must equal what baseline A computed from the same readings.
/// </summary>
internal static class IngestBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var sensors = quick ? 2_000 : 100_000;
        var passes = quick ? 2 : 60;
        var rounds = quick ? 1 : int.Parse(Environment.GetEnvironmentVariable("BENCH_ROUNDS") ?? "5");
        var producers = Environment.ProcessorCount * 4;
        var city = new BenchCity(sensors, gridsPerStreet: quick ? 5 : 25);
        var workload = new ReadingWorkload(city, SensorRulebook.Default, alarmEvery: quick ? 500 : 20_000);

        using var folder = new TempFolder();
        var started = Stopwatch.GetTimestamp();
        await using var twin = await BenchTwin.StartAsync(city, b =>
        {
            if (Environment.GetEnvironmentVariable("BENCH_MEMORY") == "1") b.UseInMemoryStorage(); else b.UseSqlite(Path.Combine(folder.Path, "twin.db"));
            if (Environment.GetEnvironmentVariable("BENCH_WINDOW") is { } w) b.Configure(o => o.WriteBehindWindow = TimeSpan.FromSeconds(double.Parse(w)));
        });
        Console.WriteLine($"ingest.setup: {sensors:N0} sensors filed in {Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s");

        await using var postgres = await BenchPostgres.StartAsync();
        var sql = new SqlRecomputeTwin(postgres.ConnectionString, workload, twin.Calculator.Weights);
        await sql.CreateAsync();
        var sqlReadings = quick ? 2 * SqlRecomputeTwin.Batch : 10 * SqlRecomputeTwin.Batch;
        IReadOnlyDictionary<int, (double Flood, double Safety)> sqlSigns = new Dictionary<int, (double, double)>();

        var ceiling = new ArrayTwin(workload, twin.Calculator.Weights);
        var grains = city.SensorFiles.Select(s => twin.Runtime.GetGrain<ISensorGrain>(s.SensorId)).ToArray();
        long grainPass = 1, arrayPass = 1;
        var rates = await Measurement.MedianRatesAsync(
            rounds,
            ("grains", async () =>
            {
                var first = grainPass;
                grainPass += passes;
                return await ApplyThroughGrainsAsync(grains, workload, first, passes, producers);
            }),
            ("array", () =>
            {
                var first = arrayPass;
                arrayPass += passes;
                return Task.FromResult(ceiling.Apply(first, passes));
            }),
            ("sql", async () =>
            {
                await sql.ResetAsync();
                sqlSigns = await sql.ApplyAsync(0, sqlReadings);
                return sqlReadings;
            }));

        await VerifyAsync(twin, ceiling, workload);
        VerifySql(sqlSigns, workload, twin, sqlReadings);
        Measurement.Report("ingest.in_process", rates["grains"], "readings/s");
        Measurement.Report("ingest.baseline_a.array_loop", rates["array"], "readings/s");
        Measurement.Report("ingest.baseline_b.postgresql_insert_and_sql_recompute", rates["sql"], "readings/s");
        Measurement.Ratio("ingest.in_process/baseline_a", rates["grains"], rates["array"]);
        Measurement.Ratio("ingest.in_process/baseline_b", rates["grains"], rates["sql"]);
    }

    /// <summary>Baseline B's last recompute equals the sums that baseline A computes from the same readings.</summary>
    private static void VerifySql(IReadOnlyDictionary<int, (double Flood, double Safety)> signs, ReadingWorkload workload, BenchTwin twin, int readings)
    {
        var check = new ArrayTwin(workload, twin.Calculator.Weights);
        check.ApplyReadings(0, readings);
        for (var district = 0; district < workload.City.Districts; district++)
        {
            var expected = check.District(district);
            var actual = signs.GetValueOrDefault(district);
            if (Math.Abs(actual.Flood - expected.FloodSeverity) > 1e-6 || Math.Abs(actual.Safety - expected.SafetySeverity) > 1e-6)
            {
                throw new InvalidOperationException($"Baseline B's district {district} sums {actual} differ from baseline A's {expected}.");
            }
        }
    }

    /// <summary>
    /// Producers each own every n-th sensor, as gateways each own their devices. A call that completes at once
    /// (most do) costs nothing more; one that waits (an alarm written through, a case opened) stays in flight
    /// while the producer goes on with other sensors, up to <see cref="InFlight"/> of them, as the HTTP API
    /// applies a batch's sensors side by side. A sensor's next reading queues behind its last, so order holds.
    /// </summary>
    internal static async Task<long> ApplyThroughGrainsAsync(ISensorGrain[] grains, ReadingWorkload workload, long first, int passes, int producers)
    {
        var ids = workload.City.SensorFiles;
        var workers = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            long applied = 0;
            var waiting = new List<Task<ReadingOutcome>>(InFlight);
            for (var pass = first; pass < first + passes; pass++)
            {
                var at = ReadingWorkload.TimeOf(pass);
                for (var sensor = p; sensor < grains.Length; sensor += producers)
                {
                    var call = grains[sensor].Record(new SensorReading(ids[sensor].SensorId, at, workload.ValueOf(sensor, pass)));
                    if (!call.IsCompleted)
                    {
                        waiting.Add(call);
                        if (waiting.Count < InFlight)
                        {
                            continue;
                        }
                        applied += await CountAppliedAsync(waiting);
                        continue;
                    }
                    applied += call.Result == ReadingOutcome.Applied ? 1 : 0;
                }
            }
            return applied + await CountAppliedAsync(waiting);
        })).ToArray();
        var total = (await Task.WhenAll(workers)).Sum();
        var expected = (long)passes * grains.Length;
        return total == expected ? total : throw new InvalidOperationException($"Readings were lost or refused: {total:N0} of {expected:N0} applied.");
    }

    private const int InFlight = 256;

    private static async Task<long> CountAppliedAsync(List<Task<ReadingOutcome>> calls)
    {
        var outcomes = await Task.WhenAll(calls);
        calls.Clear();
        return outcomes.Count(o => o == ReadingOutcome.Applied);
    }

    /// <summary>Every district's vital signs, once the tree has passed the last change up, equal baseline A's sums.</summary>
    private static async Task VerifyAsync(BenchTwin twin, ArrayTwin ceiling, ReadingWorkload workload)
    {
        await twin.Runtime.WhenIdleAsync();
        var deadline = Stopwatch.StartNew();
        for (var district = 0; district < workload.City.Districts; district++)
        {
            var expected = ceiling.District(district);
            while (true)
            {
                var counters = (await twin.SignsOfAsync($"D{district}")).Counters;
                var actual = (counters.FloodSeverity, counters.SafetySeverity, counters.CasesOpen);
                if (Math.Abs(actual.FloodSeverity - expected.FloodSeverity) < 1e-6 && Math.Abs(actual.SafetySeverity - expected.SafetySeverity) < 1e-6
                    && actual.CasesOpen == expected.CasesOpen)
                {
                    break;
                }
                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new InvalidOperationException($"District D{district}'s vital signs do not match the readings: the twin has {actual}, baseline A {expected}.");
                }
                await Task.Delay(20);
            }
        }
        for (var sensor = 0; sensor < workload.Sensors; sensor += Math.Max(1, workload.Sensors / 500))
        {
            var snapshot = await twin.Runtime.GetGrain<ISensorGrain>(workload.City.SensorFiles[sensor].SensorId).GetSnapshot();
            if (snapshot?.Value != ceiling.LatestValue(sensor))
            {
                throw new InvalidOperationException($"Sensor {sensor} holds {snapshot?.Value}, its latest reading was {ceiling.LatestValue(sensor)}.");
            }
        }
    }
}

/// <summary>A folder under the temp path, deleted with everything in it when disposed.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("cityops-bench-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a process that is going: the temp folder's own cleaning takes it.
        }
    }
}
