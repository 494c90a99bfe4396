using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CityOps.Twin.Bench;

/// <summary>
/// The silo killed with SIGKILL while readings pour in and operators work cases, then started again over the
/// same SQLite file, and over PostgreSQL: seconds until it serves again (healthy, the city's live state back),
/// against a restart after a clean stop in the same run; every acknowledged case and case step is there
/// (must be all); how many sensors lost acknowledged readings, and how long before the kill those were
/// acknowledged (the write-behind window bounds it). Besides the demo city the database holds a million more
/// persisted sensor states, which the restart must not read: activation is lazy. Target: serving ≤ 5 s.
/// </summary>
internal static class RecoveryBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        var persisted = quick ? 10_000 : 1_000_000;
        // Six seconds even in quick mode: a silo over PostgreSQL spends the first two activating the city the load touches.
        var load = TimeSpan.FromSeconds(6);
        using (var folder = new TempFolder())
        {
            await RunAsync("sqlite", folder.Path, ["--storage", "sqlite"], persisted, load,
                () => AddSqliteStatesAsync(Path.Combine(folder.Path, "cityops-twin.db"), persisted));
        }
        await using var postgres = await BenchPostgres.StartAsync();
        var database = $"recovery_{Environment.ProcessId}_{DateTime.UtcNow:HHmmss}";
        await using (var admin = new NpgsqlConnection(postgres.ConnectionString))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE DATABASE {database}", admin).ExecuteNonQueryAsync();
        }
        var connection = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database }.ConnectionString;
        using (var folder = new TempFolder())
        {
            await RunAsync("postgresql", folder.Path, ["--storage", "postgres", "--connection", connection], persisted, load,
                () => AddPostgresStatesAsync(connection, persisted));
        }
        await using (var admin = new NpgsqlConnection(postgres.ConnectionString))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE {database} WITH (FORCE)", admin).ExecuteNonQueryAsync();
        }
    }

    /// <summary>How long the load may run on past its time before the silo has acknowledged a reading and a case step.</summary>
    private static readonly TimeSpan LongestLoad = TimeSpan.FromSeconds(60);

    private static async Task RunAsync(string store, string data, string[] storage, int persisted, TimeSpan load, Func<Task> addStates)
    {
        var timeout = TimeSpan.FromMinutes(5);
        List<(string Id, SensorKind Kind)> sensors;
        await using (var first = await SiloProcess.StartAsync(data, storage, timeout))
        {
            Measurement.Report($"recovery.{store}.first_start_filing_the_demo_city", first.SecondsToServe, "s");
            sensors = await first.SensorsAsync();
            await first.StopAsync();
        }
        await addStates();

        var work = new Workload(sensors);
        double clean;
        Stopwatch killed;
        await using (var silo = await SiloProcess.StartAsync(data, storage, timeout))
        {
            clean = silo.SecondsToServe;
            using var stop = new CancellationTokenSource();
            var running = new[] { work.ReadingsAsync(silo.Http, stop.Token) }
                .Concat(Enumerable.Range(0, 4).Select(w => work.CasesAsync(silo.Http, w, stop.Token))).ToArray();
            await Task.Delay(load);
            // A loaded machine may take longer than the load to acknowledge a first case step: the kill waits for one.
            var longest = Stopwatch.StartNew();
            while ((work.Steps == 0 || work.Readings == 0) && longest.Elapsed < LongestLoad)
            {
                await Task.Delay(100);
            }
            stop.Cancel();
            await silo.KillAsync();
            killed = Stopwatch.StartNew();
            try
            {
                await Task.WhenAll(running);
                if (work.Steps == 0 || work.Readings == 0)
                {
                    throw new InvalidOperationException($"the silo acknowledged {work.Readings} readings and {work.Steps} case steps in {(load + LongestLoad).TotalSeconds} s of load");
                }
            }
            catch (InvalidOperationException refused)
            {
                throw new InvalidOperationException($"{store}: {refused.Message}\nThe silo said:\n{silo.Output()}", refused);
            }
        }

        await using var again = await SiloProcess.StartAsync(data, storage, timeout);
        var (casesLost, stepsLost) = await work.CheckCasesAsync(again);
        var (sensorsBehind, oldestLostMs) = await work.CheckSensorsAsync(again, killed);
        await again.StopAsync();

        Measurement.Report($"recovery.{store}.serving_after_sigkill", again.SecondsToServe, $"s (with {persisted:N0} more persisted sensor states)");
        Measurement.Report($"recovery.{store}.serving_after_clean_stop", clean, "s");
        Measurement.Ratio($"recovery.{store}.after_sigkill/after_clean_stop", again.SecondsToServe, clean);
        Measurement.Report($"recovery.{store}.acknowledged_cases", work.Cases.Count, $"cases, {work.Steps} steps");
        Measurement.Report($"recovery.{store}.cases_lost", casesLost, "cases");
        Measurement.Report($"recovery.{store}.case_steps_lost", stepsLost, "steps");
        Measurement.Report($"recovery.{store}.acknowledged_readings", work.Readings, "readings");
        Measurement.Report($"recovery.{store}.sensors_behind_their_last_acknowledged_reading", sensorsBehind, $"of {sensors.Count:N0} sensors");
        Measurement.Report($"recovery.{store}.lost_readings_acknowledged_before_kill_at_most", oldestLostMs, "ms (write-behind window 1,000 ms)");
        if (casesLost != 0 || stepsLost != 0)
        {
            throw new InvalidOperationException($"{store}: {casesLost} acknowledged cases and {stepsLost} acknowledged case steps were lost in the crash.");
        }
    }

    private static async Task AddSqliteStatesAsync(string path, int count)
    {
        await PersistedSensorStates.AddAsync(StorageKind.Sqlite, $"Data Source={path}", count);
        SqliteConnection.ClearAllPools();
        // The bulk load is setup: its WAL is folded into the database now, not while the silo is measured.
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await checkpoint.ExecuteNonQueryAsync();
        await CheckAddedAsync(connection, count);
    }

    private static async Task AddPostgresStatesAsync(string connectionString, int count)
    {
        await PersistedSensorStates.AddAsync(StorageKind.PostgreSql, connectionString, count);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The bulk load is setup: its pages are written out and the table analysed now, not while the silo is measured.
        await new NpgsqlCommand("CHECKPOINT; ANALYZE orleans_grain_state", connection).ExecuteNonQueryAsync();
        await CheckAddedAsync(connection, count);
    }

    /// <summary>The extra states are rows of the silo's own table, beside its city's.</summary>
    private static async Task CheckAddedAsync(System.Data.Common.DbConnection connection, int count)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM orleans_grain_state WHERE grain_type = 'live' AND grain_id_extension LIKE 'EXTRA-%'";
        var rows = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        if (rows != count)
        {
            throw new InvalidOperationException($"{rows:N0} of {count:N0} extra sensor states are in the silo's table.");
        }
    }

    /// <summary>The load, and what the silo acknowledged of it.</summary>
    private sealed class Workload(List<(string Id, SensorKind Kind)> sensors)
    {
        private static readonly (string Route, CaseStatus After, object Body)[] Loop =
        [
            ("register", CaseStatus.Registered, new { actor = "值班员" }),
            ("dispatch", CaseStatus.Dispatched, new { actor = "值班员", team = "城运一组" }),
            ("start-handling", CaseStatus.Handling, new { actor = "处置员" }),
            ("feedback", CaseStatus.Feedback, new { actor = "处置员" }),
            ("pass-check", CaseStatus.Closed, new { actor = "值班员" }),
            ("evaluate", CaseStatus.Evaluated, new { actor = "市民", score = 5 }),
        ];

        private readonly ConcurrentDictionary<string, (DateTimeOffset At, long AckedAt)> _lastAcked = new();
        private readonly ConcurrentDictionary<string, List<(DateTimeOffset At, long AckedAt)>> _acked = new();
        private long _readings;
        private int _steps;

        public ConcurrentDictionary<string, CaseStatus> Cases { get; } = new();

        public long Readings => Interlocked.Read(ref _readings);

        public int Steps => _steps;

        /// <summary>Batches of a reading for every sensor, one after another, as a gateway would.</summary>
        public async Task ReadingsAsync(HttpClient http, CancellationToken stop)
        {
            var rules = SensorRulebook.Default;
            var round = 0;
            while (!stop.IsCancellationRequested)
            {
                var at = DateTimeOffset.UtcNow;
                var batch = sensors.Select((s, i) => new
                {
                    sensorId = s.Id,
                    measuredAt = at.ToString("O", CultureInfo.InvariantCulture),
                    value = rules.For(s.Kind, OperatingMode.Normal).Blue * (0.2 + (i + round) % 10 / 20.0),
                }).ToArray();
                round++;
                try
                {
                    var response = await http.PostAsJsonAsync("/api/ingest/readings", new { readings = batch }, CancellationToken.None);
                    if (!response.IsSuccessStatusCode)
                    {
                        continue;
                    }
                    var ackedAt = Stopwatch.GetTimestamp();
                    using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync(CancellationToken.None));
                    var refused = result.RootElement.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()).ToHashSet();
                    for (var i = 0; i < batch.Length; i++)
                    {
                        if (!refused.Contains(i))
                        {
                            _lastAcked[batch[i].sensorId] = (at, ackedAt);
                            _acked.GetOrAdd(batch[i].sensorId, _ => []).Add((at, ackedAt));
                            Interlocked.Increment(ref _readings);
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    return;
                }
            }
        }

        /// <summary>An operator reporting cases and working each through the whole loop, step by step.</summary>
        public async Task CasesAsync(HttpClient http, int worker, CancellationToken stop)
        {
            try
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var reported = await http.PostAsJsonAsync("/api/cases", new
                    {
                        title = $"道路破损 {worker}-{n}",
                        description = "recovery benchmark",
                        categoryCode = "0302",
                        source = "Patrol",
                        longitude = 121.6050 + worker * 0.001,
                        latitude = 31.2050 + n % 50 * 0.0005,
                        reportedBy = "巡查员",
                    }, CancellationToken.None);
                    if (!reported.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"Reporting a case was refused ({(int)reported.StatusCode}): {await reported.Content.ReadAsStringAsync()}");
                    }
                    var id = (await reported.Content.ReadFromJsonAsync<CaseRecord>(SiloProcess.Json))!.CaseId;
                    Cases[id] = CaseStatus.Reported;
                    foreach (var (route, after, body) in Loop)
                    {
                        var step = await http.PostAsJsonAsync($"/api/cases/{id}/{route}", body, CancellationToken.None);
                        if (!step.IsSuccessStatusCode)
                        {
                            throw new InvalidOperationException($"Step {route} of case {id} was refused ({(int)step.StatusCode}): {await step.Content.ReadAsStringAsync()}");
                        }
                        Cases[id] = after;
                        Interlocked.Increment(ref _steps);
                    }
                }
            }
            catch (HttpRequestException)
            {
                // The silo was killed mid-call: that call was not acknowledged.
            }
        }

        public async Task<(int CasesLost, int StepsLost)> CheckCasesAsync(SiloProcess silo)
        {
            int casesLost = 0, stepsLost = 0;
            foreach (var (id, acknowledged) in Cases)
            {
                var response = await silo.Http.GetAsync($"/api/cases/{id}");
                if (!response.IsSuccessStatusCode)
                {
                    casesLost++;
                    stepsLost += Order(acknowledged);
                    continue;
                }
                var status = (await response.Content.ReadFromJsonAsync<CaseRecord>(SiloProcess.Json))!.Status;
                stepsLost += Math.Max(0, Order(acknowledged) - Order(status));
            }
            return (casesLost, stepsLost);
        }

        private static int Order(CaseStatus status) => status == CaseStatus.Reported ? 0 : Array.FindIndex(Loop, s => s.After == status) + 1;

        /// <summary>Sensors whose restored latest reading is older than their last acknowledged one, and how long before the kill the first lost one was acknowledged.</summary>
        public async Task<(int Behind, double OldestLostMs)> CheckSensorsAsync(SiloProcess silo, Stopwatch sinceKill)
        {
            var killedAt = Stopwatch.GetTimestamp() - sinceKill.Elapsed.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
            var behind = 0;
            double oldest = 0;
            foreach (var (id, last) in _lastAcked)
            {
                using var device = JsonDocument.Parse(await silo.Http.GetStringAsync($"/api/devices/{id}"));
                var restored = device.RootElement.GetProperty("measuredAt") is { ValueKind: JsonValueKind.String } at ? at.GetDateTimeOffset() : DateTimeOffset.MinValue;
                if (restored >= last.At)
                {
                    continue;
                }
                behind++;
                var firstLost = _acked[id].First(a => a.At > restored);
                oldest = Math.Max(oldest, Stopwatch.GetElapsedTime(firstLost.AckedAt, killedAt).TotalMilliseconds);
            }
            return (behind, oldest);
        }
    }
}
