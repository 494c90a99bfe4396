using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace CityOps.Twin.Bench;

/// <summary>
/// Sensor readings per second applied to the twin, one reading a call: each reading goes to its sensor grain (live
/// state written behind to SQLite, alarms written through, cases opened) and level changes flow up the vital-signs
/// tree. In process, against the Orleans call floor (trivial awaited calls in the same silo), baseline A (the same
/// aggregates in flat arrays on one thread) and baseline B (each reading inserted into PostgreSQL and the indices
/// recomputed by SQL); then through the silo's HTTP batch API. After the runs, the city's vital signs must equal
/// what baseline A computed from the same readings. Targets (issue 12): ≥ 300,000 readings/s and ≥ 0.5 × the floor;
/// with a sensor's readings batched in one call, ≥ 1,000,000 readings/s.
/// </summary>
internal static class IngestBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var sensors = quick ? 2_000 : 100_000;
        var passes = quick ? 2 : 20;
        var rounds = quick ? 1 : 5;
        var producers = Environment.ProcessorCount * 4;
        var city = new BenchCity(sensors, gridsPerStreet: quick ? 5 : 25);
        var workload = new ReadingWorkload(city, SensorRulebook.Default, alarmEvery: quick ? 500 : 20_000);

        using var folder = new TempFolder();
        var started = Stopwatch.GetTimestamp();
        await using var twin = await BenchTwin.StartAsync(city, BenchTwin.OnSqlite(Path.Combine(folder.Path, "twin.db")));
        Console.WriteLine($"ingest.setup: {sensors:N0} sensors filed in {Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s");

        await using var postgres = await BenchPostgres.StartAsync();
        var sql = new SqlRecomputeTwin(postgres.ConnectionString, workload, twin.Calculator.Weights);
        await sql.CreateAsync();
        var sqlReadings = quick ? 2 * SqlRecomputeTwin.Batch : 10 * SqlRecomputeTwin.Batch;
        IReadOnlyDictionary<int, (double Flood, double Safety)> sqlSigns = new Dictionary<int, (double, double)>();

        var ceiling = new ArrayTwin(workload, twin.Calculator.Weights);
        var grains = city.SensorFiles.Select(s => twin.Grains.GetGrain<ISensorGrain>(s.SensorId)).ToArray();
        // The floor: the same producers, each awaiting trivial calls to a grain of its own in the same silo.
        var pings = Enumerable.Range(0, producers).Select(p => twin.Grains.GetGrain<IOrleansPingGrain>($"ingest-floor-{p}")).ToArray();
        var floorCalls = quick ? 500 : 100_000;
        long grainPass = 1, arrayPass = 1;
        // What the storage did meanwhile: the group commit's rows, and the writes that waited for their flush by state.
        using var waits = new WriteBehindWaits();
        var storage = (GroupCommitGrainStorage)twin.Services.GetRequiredKeyedService<IGrainStorage>(TwinGrains.Storage);
        var (transactionsBefore, rowsBefore) = storage.Commits;
        var measured = Stopwatch.GetTimestamp();
        var rates = await Measurement.MedianRatesAsync(
            rounds,
            ("grains", async () =>
            {
                var first = grainPass;
                grainPass += passes;
                return await ApplyThroughGrainsAsync(grains, workload, first, passes, producers);
            }),
            ("batched", async () =>
            {
                var first = grainPass;
                grainPass += passes;
                return await ApplyBatchedAsync(grains, workload, first, passes, producers);
            }),
            ("floor", () => CallBenchmark.CallAllAsync(pings, floorCalls)),
            ("array", () =>
            {
                // The grains took two turns (a reading a call, then batched) of the readings' passes: the same here,
                // so that the city's vital signs can be compared at the end.
                var first = arrayPass;
                arrayPass += 2 * passes;
                return Task.FromResult(ceiling.Apply(first, 2 * passes));
            }),
            ("sql", async () =>
            {
                await sql.ResetAsync();
                sqlSigns = await sql.ApplyAsync(0, sqlReadings);
                return sqlReadings;
            }));

        var (transactions, rows) = storage.Commits;
        Console.WriteLine($"ingest.group_commit: {(rows - rowsBefore) / Stopwatch.GetElapsedTime(measured).TotalSeconds:N0} rows/s over the rounds " +
            $"({rows - rowsBefore:N0} rows in {transactions - transactionsBefore:N0} transactions); writes that waited for their flush: {waits}");
        await VerifyAsync(twin, ceiling, workload);
        VerifySql(sqlSigns, workload, twin, sqlReadings);
        Measurement.Report("ingest.in_process", rates["grains"], "readings/s (one reading a call)");
        Measurement.Report("ingest.baseline.orleans_call_floor", rates["floor"], "calls/s");
        Measurement.Ratio("ingest.in_process/call_floor", rates["grains"], rates["floor"]);
        Measurement.Report("ingest.baseline_a.array_loop", rates["array"], "readings/s");
        Measurement.Report("ingest.baseline_b.postgresql_insert_and_sql_recompute", rates["sql"], "readings/s");
        Measurement.Ratio("ingest.in_process/baseline_a", rates["grains"], rates["array"]);
        Measurement.Ratio("ingest.in_process/baseline_b", rates["grains"], rates["sql"]);
        Measurement.Report("ingest.in_process_batched_per_sensor", rates["batched"], $"readings/s ({passes} readings of a sensor a call)");
        Measurement.Ratio("ingest.in_process_batched/call_floor", rates["batched"], rates["floor"]);
        Measurement.Ratio("ingest.in_process_batched/baseline_a", rates["batched"], rates["array"]);
        if (!quick)
        {
            var met = rates["grains"] >= 300_000 && rates["grains"] >= 0.5 * rates["floor"];
            Console.WriteLine($"ingest.target: {(met ? "met" : "MISSED")} (≥ 300,000 readings/s and ≥ 0.5 × the call floor)");
            Console.WriteLine($"ingest.target_batched: {(rates["batched"] >= 1_000_000 ? "met" : "MISSED")} (≥ 1,000,000 readings/s)");
        }

        await twin.DisposeAsync();
        var (http, metricsOff) = await ThroughHttpAsync(quick, rounds);
        Measurement.Report("ingest.http_batch_api", http, "readings/s");
        Measurement.Report("ingest.http_batch_api_metrics_off", metricsOff, "readings/s");
        Measurement.Ratio("ingest.http_batch_api/metrics_off", http, metricsOff);
        Measurement.Ratio("ingest.http_batch_api/in_process", http, rates["grains"]);
        Measurement.Ratio("ingest.http_batch_api/baseline_b", http, rates["sql"]);
    }

    /// <summary>
    /// The silo's POST /api/ingest/readings from a few gateways at once over loopback, each owning a share of the
    /// demo city's sensors and sending batches of 5,000 readings one after another. The bodies are made before
    /// the clock starts, so the figure is the silo's (parse, validate, apply), not the client's JSON writer. Beside it,
    /// interleaved round by round, a second silo with its metrics off (no Prometheus, no OTLP): what collecting
    /// Orleans', ASP.NET Core's and the twin's metrics costs the hottest path.
    /// </summary>
    private static async Task<(double MetricsOn, double MetricsOff)> ThroughHttpAsync(bool quick, int rounds)
    {
        const int BatchSize = 5_000;
        var gateways = Environment.ProcessorCount * 2;
        var perRound = quick ? 20_000 : 400_000;
        using var folder = new TempFolder();
        using var quietFolder = new TempFolder();
        await using var silo = await SiloProcess.StartAsync(folder.Path, ["--storage", "sqlite"], TimeSpan.FromMinutes(5));
        await using var quiet = await SiloProcess.StartAsync(quietFolder.Path, ["--storage", "sqlite", "--Telemetry:Prometheus:Enabled", "false"], TimeSpan.FromMinutes(5));
        var sensors = (await silo.SensorsAsync()).ToArray();

        // Reading k of a gateway goes to its (k mod share)-th sensor, one millisecond later each time round its share.
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var rules = SensorRulebook.Default;
        var bodies = new List<byte[]>[rounds + 1][];
        for (var round = 0; round <= rounds; round++)
        {
            bodies[round] = new List<byte[]>[gateways];
            for (var gateway = 0; gateway < gateways; gateway++)
            {
                var share = sensors.Where((_, i) => i % gateways == gateway).ToArray();
                var batches = bodies[round][gateway] = [];
                var readings = perRound / gateways;
                for (var offset = 0; offset < readings; offset += BatchSize)
                {
                    var batch = Enumerable.Range(offset, Math.Min(BatchSize, readings - offset)).Select(k =>
                    {
                        var n = (long)round * readings + k;
                        var (id, kind) = share[n % share.Length];
                        return new
                        {
                            sensorId = id,
                            measuredAt = start.AddMilliseconds(n / share.Length).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                            value = rules.For(kind, Contracts.Mode.OperatingMode.Normal).Blue * (0.2 + n % 7 / 20.0),
                        };
                    });
                    batches.Add(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { readings = batch }));
                }
            }
        }

        // Each silo is sent the same rounds in the same order: each holds its own sensors' latest readings.
        Func<Task<long>> Sender(SiloProcess target)
        {
            var next = 0;
            return () => SendRoundAsync(target, bodies[next++]);
        }
        var rates = await Measurement.MedianRatesAsync(rounds, ("on", Sender(silo)), ("off", Sender(quiet)));
        await silo.StopAsync();
        await quiet.StopAsync();
        return (rates["on"], rates["off"]);

        static async Task<long> SendRoundAsync(SiloProcess silo, List<byte[]>[] round)
        {
            var accepted = await Task.WhenAll(round.Select(async batches =>
            {
                long count = 0;
                foreach (var body in batches)
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using var response = await silo.Http.PostAsync("/api/ingest/readings", content);
                    var text = await response.Content.ReadAsStringAsync();
                    using var result = System.Text.Json.JsonDocument.Parse(text);
                    if (!response.IsSuccessStatusCode || result.RootElement.GetProperty("rejected").GetArrayLength() > 0)
                    {
                        throw new InvalidOperationException($"A batch was refused in part or whole ({(int)response.StatusCode}): {text[..Math.Min(400, text.Length)]}");
                    }
                    count += result.RootElement.GetProperty("accepted").GetInt64();
                }
                return count;
            }));
            return accepted.Sum();
        }
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
    /// Producers each own every n-th sensor, as gateways each own their devices. A call stays in flight while the
    /// producer goes on with other sensors, up to <see cref="InFlight"/> of them, as the HTTP API applies a batch's
    /// sensors side by side; a slow one (an alarm written through, a case opened) holds up only its own sensor.
    /// Orleans does not promise that two calls arrive in the order they were sent, so a sensor's next reading is
    /// sent once its last was answered.
    /// </summary>
    internal static async Task<long> ApplyThroughGrainsAsync(ISensorGrain[] grains, ReadingWorkload workload, long first, int passes, int producers)
    {
        var ids = workload.City.SensorFiles;
        var workers = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            long applied = 0;
            var last = new Task<ReadingOutcome>?[(grains.Length - p + producers - 1) / producers];
            // Holds no wait handle, so it needs no disposal (a call's continuation may release it after the last await).
            var slots = new SemaphoreSlim(InFlight);
            for (var pass = first; pass < first + passes; pass++)
            {
                var at = ReadingWorkload.TimeOf(pass);
                for (int sensor = p, mine = 0; sensor < grains.Length; sensor += producers, mine++)
                {
                    if (last[mine] is { } previous)
                    {
                        applied += await previous == ReadingOutcome.Applied ? 1 : 0;
                    }
                    await slots.WaitAsync();
                    var call = grains[sensor].Record(new SensorReading(ids[sensor].SensorId, at, workload.ValueOf(sensor, pass)));
                    _ = call.ContinueWith(static (_, held) => ((SemaphoreSlim)held!).Release(), slots, TaskContinuationOptions.ExecuteSynchronously);
                    last[mine] = call;
                }
            }
            foreach (var call in last)
            {
                applied += call is not null && await call == ReadingOutcome.Applied ? 1 : 0;
            }
            return applied;
        })).ToArray();
        var total = (await Task.WhenAll(workers)).Sum();
        var expected = (long)passes * grains.Length;
        return total == expected ? total : throw new InvalidOperationException($"Readings were lost or refused: {total:N0} of {expected:N0} applied.");
    }

    /// <summary>
    /// The same readings, a sensor's passes in one call (<see cref="ISensorGrain.RecordMany"/>), as a gateway that
    /// buffers a device's readings for a few seconds sends them; producers and calls in flight as above.
    /// </summary>
    internal static async Task<long> ApplyBatchedAsync(ISensorGrain[] grains, ReadingWorkload workload, long first, int passes, int producers)
    {
        var ids = workload.City.SensorFiles;
        var workers = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            long applied = 0;
            var slots = new SemaphoreSlim(InFlight);
            var calls = new List<Task<ReadingOutcome[]>>();
            for (var sensor = p; sensor < grains.Length; sensor += producers)
            {
                var batch = new SensorReading[passes];
                for (var k = 0; k < passes; k++)
                {
                    batch[k] = new SensorReading(ids[sensor].SensorId, ReadingWorkload.TimeOf(first + k), workload.ValueOf(sensor, first + k));
                }
                await slots.WaitAsync();
                var call = grains[sensor].RecordMany(batch);
                _ = call.ContinueWith(static (_, held) => ((SemaphoreSlim)held!).Release(), slots, TaskContinuationOptions.ExecuteSynchronously);
                calls.Add(call);
            }
            foreach (var call in calls)
            {
                applied += (await call).Count(outcome => outcome == ReadingOutcome.Applied);
            }
            return applied;
        })).ToArray();
        var total = (await Task.WhenAll(workers)).Sum();
        var expected = (long)passes * grains.Length;
        return total == expected ? total : throw new InvalidOperationException($"Batched readings were lost or refused: {total:N0} of {expected:N0} applied.");
    }

    private const int InFlight = 256;

    /// <summary>Every district's vital signs, once the tree has passed the last change up (it is given 30 s), equal baseline A's sums.</summary>
    internal static async Task VerifyAsync(BenchTwin twin, ArrayTwin ceiling, ReadingWorkload workload)
    {
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
            var snapshot = await twin.Grains.GetGrain<ISensorGrain>(workload.City.SensorFiles[sensor].SensorId).GetSnapshot();
            if (snapshot?.Value != ceiling.LatestValue(sensor))
            {
                throw new InvalidOperationException($"Sensor {sensor} holds {snapshot?.Value}, its latest reading was {ceiling.LatestValue(sensor)}.");
            }
        }
    }

    /// <summary>The writes that waited for their flush (twin.storage.write_behind.waited), by state, while it listens.</summary>
    private sealed class WriteBehindWaits : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _waited = new(StringComparer.Ordinal);

        public WriteBehindWaits()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == WriteBehindMeter.Name && instrument.Name == "twin.storage.write_behind.waited")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "state", Value: string state })
                    {
                        _waited.AddOrUpdate(state, value, (_, sum) => sum + value);
                    }
                }
            });
            _listener.Start();
        }

        public override string ToString() => _waited.IsEmpty
            ? "none"
            : string.Join(", ", _waited.OrderBy(entry => entry.Key, StringComparer.Ordinal).Select(entry => $"{entry.Key} {entry.Value:N0}"));

        public void Dispose() => _listener.Dispose();
    }
}
