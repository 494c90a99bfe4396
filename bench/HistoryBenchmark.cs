using System.Diagnostics;
using System.Globalization;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.History;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace CityOps.Twin.Bench;

/// <summary>
/// The city's history (issue 17). First, ingest with the history on against off in the same silo and run (rounds
/// interleaved; an "on" round lasts until the history has committed its readings, so it pays the writer's work, not
/// only the queueing), one reading a call and a sensor's readings batched, over SQLite as the embedded default runs;
/// with the history's write lag (queued to committed) p99. Target: the history costs at most 20% of ingest throughput.
/// Second, 30-day queries through the silo's HTTP API over PostgreSQL holding 100,000 sensors' readings (quick: 2,000),
/// generated straight into the store with binary COPY: one sensor's hourly buckets and raw readings, and the city's
/// flood index. Target: each answers in 200 ms or less.
/// </summary>
internal static class HistoryBenchmark
{
    private const double QueryTargetMs = 200;

    public static async Task RunAsync(bool quick)
    {
        await QueriesAsync(quick);
        await IngestOnAndOffAsync(quick);
        await IngestOnAndOffAsync(quick, postgres: true);
        await WriterAloneAsync(quick);
    }

    /// <summary>What the grains append to: the writer in "on" rounds, nothing in "off" rounds.</summary>
    private sealed class SwitchableHistory : IHistoryAppender
    {
        public volatile IHistoryAppender? Target;

        public void Reading(string sensorId, DateTimeOffset measuredAt, double value) => Target?.Reading(sensorId, measuredAt, value);

        public void Event(HistoryEvent change) => Target?.Event(change);
    }

    /// <summary>Readings of a sensor a call in the batched rounds, and how many times a batched round sends that many.</summary>
    private const int BatchedRepeats = 4;

    /// <param name="postgres">
    /// The history in PostgreSQL (a private server on the same cores, its own database) instead of the SQLite file; the
    /// grains' own storage stays SQLite, so only the history differs. Figures are named history.ingest.pg.*.
    /// </param>
    public static async Task IngestOnAndOffAsync(bool quick, bool postgres = false)
    {
        var sensors = quick ? 2_000 : 100_000;
        var passes = quick ? 2 : 4;
        var rounds = quick ? 1 : 5;
        var producers = Environment.ProcessorCount * 4;
        var city = new BenchCity(sensors, gridsPerStreet: quick ? 5 : 25);
        var workload = new ReadingWorkload(city, SensorRulebook.Default, alarmEvery: quick ? 500 : 20_000);
        using var folder = new TempFolder();
        var history = new SwitchableHistory();
        await using var twin = await BenchTwin.StartAsync(city, BenchTwin.OnSqlite(Path.Combine(folder.Path, "twin.db")),
            services => services.AddSingleton<IHistoryAppender>(history));
        await using var server = postgres ? await BenchPostgres.StartAsync() : null;
        var database = server is null ? null : await CreateDatabaseAsync(server, "history_ingest");
        HistoryStore store = database is null ? new SqliteHistoryStore(folder.Path) : new PostgresHistoryStore(database);
        var writer = new HistoryWriter(store, new HistoryOptions(), _ => null, NullLogger<HistoryWriter>.Instance);
        var name = postgres ? "history.ingest.pg" : "history.ingest";
        await writer.StartAsync(CancellationToken.None);
        await writer.Ready.WaitAsync(TimeSpan.FromMinutes(1));

        var grains = city.SensorFiles.Select(s => twin.Grains.GetGrain<ISensorGrain>(s.SensorId)).ToArray();
        long pass = 1;
        // Hot state writes that waited for their flush (flushes slower than a quarter of their window): where a busy
        // machine slows ingest, history or not.
        long waited = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "twin.storage.write_behind.waited")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref waited, value));
        listener.Start();
        var shapes = new Dictionary<string, List<string>>();
        async Task<long> RoundAsync(bool on, bool batched)
        {
            history.Target = on ? writer : null;
            var started = Stopwatch.GetTimestamp();
            var waitedBefore = Interlocked.Read(ref waited);
            var (threadsBefore, cpuBefore) = (ThreadCpu.ByName(), ThreadCpu.Process());
            var (foldsBefore, foldTimeBefore) = store is SqliteHistoryStore sqlite ? (sqlite.Folds, sqlite.FoldTime) : (0, TimeSpan.Zero);
            long applied = 0;
            if (batched)
            {
                // Four times the readings of a round one a call, so a round lasts about as long (about 20 s at full size):
                // a short round would weigh the writer's last batches, and whether a fold fell in it, more than its ingest.
                for (var repeat = 0; repeat < BatchedRepeats; repeat++)
                {
                    applied += await IngestBenchmark.ApplyBatchedAsync(grains, workload, pass, passes, producers);
                    pass += passes;
                }
            }
            else
            {
                applied = await IngestBenchmark.ApplyThroughGrainsAsync(grains, workload, pass, passes, producers);
                pass += passes;
            }
            var ingested = Stopwatch.GetElapsedTime(started);
            var buffered = writer.Buffered;
            if (on && !await writer.WhenWrittenAsync(TimeSpan.FromMinutes(5)))
            {
                throw new InvalidOperationException($"The history did not commit a round's readings within 5 minutes ({writer.Buffered:N0} still buffered).");
            }
            history.Target = null;
            var key = $"{(batched ? "batched_" : string.Empty)}{(on ? "on" : "off")}";
            if (!shapes.TryGetValue(key, out var list))
            {
                shapes[key] = list = [];
            }
            // Where the round's cores went: the history writer's thread, the group commit's, the whole process; and the folds.
            var (threadsAfter, cpuAfter) = (ThreadCpu.ByName(), ThreadCpu.Process());
            var folds = store is SqliteHistoryStore folded
                ? string.Create(CultureInfo.InvariantCulture, $"; {folded.Folds - foldsBefore} folds held the writer {(folded.FoldTime - foldTimeBefore).TotalSeconds:N1} s")
                : string.Empty;
            list.Add(string.Create(CultureInfo.InvariantCulture,
                $"{applied / ingested.TotalSeconds:N0}/s ingest {ingested.TotalSeconds:N1} s, drain {(Stopwatch.GetElapsedTime(started) - ingested).TotalSeconds:N1} s of {buffered:N0}, {Interlocked.Read(ref waited) - waitedBefore:N0} writes waited, CPU s: history writer {ThreadCpu.Between(threadsBefore, threadsAfter, "History writer").TotalSeconds:N1}, group commit {ThreadCpu.Between(threadsBefore, threadsAfter, "Group commit").TotalSeconds:N1}, all {(cpuAfter - cpuBefore).TotalSeconds:N1}{folds}"));
            return applied;
        }

        var each = await Measurement.RatesAsync(rounds,
            ("off", () => RoundAsync(on: false, batched: false)),
            ("on", () => RoundAsync(on: true, batched: false)),
            ("batched_off", () => RoundAsync(on: false, batched: true)),
            ("batched_on", () => RoundAsync(on: true, batched: true)));

        var rates = each.ToDictionary(r => r.Key, r => Measurement.Median([.. r.Value]));
        // Each round's on against the off just before it: drift on the shared machine falls on both alike.
        List<double> PairedRatios(string on, string off) => [.. each[on].Zip(each[off], (a, b) => a / b)];
        string Paired(string on, string off) =>
            $"{string.Join(", ", PairedRatios(on, off).Select(r => r.ToString("N3", CultureInfo.InvariantCulture)))} (median {Measurement.Median(PairedRatios(on, off)).ToString("N3", CultureInfo.InvariantCulture)})";
        Measurement.Report($"{name}.off", rates["off"], "readings/s (one reading a call, history off)");
        Measurement.Report($"{name}.on", rates["on"], "readings/s (one reading a call, history on, committed)");
        Measurement.Ratio($"{name}.on/off", rates["on"], rates["off"]);
        Measurement.Report($"{name}.batched_off", rates["batched_off"], $"readings/s ({passes} readings of a sensor a call, history off)");
        Measurement.Report($"{name}.batched_on", rates["batched_on"], $"readings/s ({passes} readings of a sensor a call, history on, committed)");
        Measurement.Ratio($"{name}.batched_on/batched_off", rates["batched_on"], rates["batched_off"]);
        Console.WriteLine($"{name}.rounds: one a call {Paired("on", "off")}; batched {Paired("batched_on", "batched_off")} (each round's on / off)");
        foreach (var (key, list) in shapes)
        {
            Console.WriteLine($"{name}.{key}.each (warm-up, then each round): {string.Join("; ", list)}");
        }
        Console.WriteLine($"{name}.write_lag_p50: {writer.Lag.Percentile(0.50).TotalMilliseconds:N0} ms");
        Console.WriteLine($"{name}.write_lag_p99: {writer.Lag.Percentile(0.99).TotalMilliseconds:N0} ms (queued to committed, {writer.Lag.Count:N0} entries)");
        Console.WriteLine($"{name}.dropped: {writer.Dropped:N0} entries (buffer of {new HistoryOptions().BufferEntries:N0})");
        if (!quick)
        {
            // Met when both the medians' ratio and the median of the rounds' own ratios reach 0.8.
            bool Met(string on, string off) => rates[on] >= 0.8 * rates[off] && Measurement.Median(PairedRatios(on, off)) >= 0.8;
            Console.WriteLine($"{name}.target_ingest: {(Met("on", "off") ? "met" : "MISSED")} (history on ≥ 0.8 × off, one reading a call: the medians' ratio and the rounds' median ratio); batched: {(Met("batched_on", "batched_off") ? "met" : "MISSED")}");
        }
        await writer.StopAsync(CancellationToken.None);
        if (server is not null && database is not null)
        {
            await DropDatabaseAsync(server, database);
        }
    }

    /// <summary>A database of its own on the private server, for one benchmark.</summary>
    private static async Task<string> CreateDatabaseAsync(BenchPostgres server, string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using var db = new NpgsqlConnection(server.ConnectionString);
        await db.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE \"{name}\"", db).ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task DropDatabaseAsync(BenchPostgres server, string connection)
    {
        NpgsqlConnection.ClearAllPools();
        await using var db = new NpgsqlConnection(server.ConnectionString);
        await db.OpenAsync();
        await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(connection).Database}\" WITH (FORCE)", db).ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The SQLite history writer on its own, no grains: 100,000 sensors' readings (quick: 2,000) in arrival order, one
    /// reading of every sensor a pass, written in the writer's batches. Prints rows a second and the process's CPU time a
    /// row (what ingest loses to the history on a shared machine) over the passes after the first (which starts from an
    /// empty file), against a baseline in the same run: the same rows into a file whose readings have no (sensor, time)
    /// index, the floor of appending a row. Rounds alternate between the two.
    /// </summary>
    public static async Task WriterAloneAsync(bool quick)
    {
        var sensors = quick ? 2_000 : 100_000;
        var passes = quick ? 5 : 30;
        var rounds = quick ? 1 : 3;
        var batch = new HistoryOptions().BatchEntries;
        var ids = Enumerable.Range(0, sensors).Select(i => $"SIM-{i:D6}").ToArray();
        var order = Enumerable.Range(0, sensors).ToArray();
        new Random(17).Shuffle(order);
        var start = DateTimeOffset.UtcNow.AddHours(-6).UtcTicks;
        using var folder = new TempFolder();
        var runs = 0;

        async Task<(double Rate, double CpuMicroseconds)> RunAsync(bool indexed)
        {
            var path = Path.Combine(folder.Path, $"run-{++runs}");
            Directory.CreateDirectory(path);
            await using var store = new SqliteHistoryStore(path);
            await store.InstallAsync(CancellationToken.None);
            if (!indexed)
            {
                await using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.Path}");
                await db.OpenAsync();
                await new Microsoft.Data.Sqlite.SqliteCommand($"DROP INDEX {HistoryStore.ReadingTable}_sensor_at", db).ExecuteNonQueryAsync();
            }
            var rows = new List<QueuedReading>(batch);
            var cpu = TimeSpan.Zero;
            var started = 0L;
            for (var pass = 0; pass < passes; pass++)
            {
                if (pass == 1)
                {
                    cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    started = Stopwatch.GetTimestamp();
                }
                foreach (var i in order)
                {
                    rows.Add(new QueuedReading(ids[i], start + pass * TimeSpan.TicksPerSecond * 10 + i, i % 97 / 10.0, 0));
                    if (rows.Count == batch)
                    {
                        await store.WriteAsync(rows, [], CancellationToken.None);
                        rows.Clear();
                    }
                }
            }
            await store.WriteAsync(rows, [], CancellationToken.None);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var written = (passes - 1) * (long)sensors;
            // Every row is there, folded or recent, and one sensor reads back whole.
            await using (var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.Path}"))
            {
                await check.OpenAsync();
                var stored = (long)(await new Microsoft.Data.Sqlite.SqliteCommand(
                    $"SELECT (SELECT COUNT(*) FROM {HistoryStore.ReadingTable}) + (SELECT COUNT(*) FROM {SqliteHistoryStore.RecentTable})", check).ExecuteScalarAsync())!;
                var one = await store.ReadingsAsync(ids[order[0]], start, start + passes * TimeSpan.TicksPerSecond * 10 + sensors, passes + 1, CancellationToken.None);
                if (stored != passes * (long)sensors || one.Count != passes)
                {
                    throw new InvalidOperationException($"The writer stored {stored:N0} of {passes * (long)sensors:N0} rows, and {one.Count} of one sensor's {passes}.");
                }
            }
            return (written / elapsed.TotalSeconds, used.TotalMicroseconds / written);
        }

        var indexedRuns = new List<(double Rate, double Cpu)>();
        var floorRuns = new List<(double Rate, double Cpu)>();
        for (var round = 0; round < rounds; round++)
        {
            indexedRuns.Add(await RunAsync(indexed: true));
            floorRuns.Add(await RunAsync(indexed: false));
        }
        var rate = Measurement.Median([.. indexedRuns.Select(r => r.Rate)]);
        var floorRate = Measurement.Median([.. floorRuns.Select(r => r.Rate)]);
        Measurement.Report("history.writer.rows", rate, $"rows/s (SQLite, {sensors:N0} sensors × {passes - 1} readings after a first, batches of {batch:N0}, median of {rounds})");
        Console.WriteLine($"history.writer.cpu_per_row: {Measurement.Median([.. indexedRuns.Select(r => r.Cpu)]):N2} µs (process CPU time)");
        Measurement.Report("history.writer.floor_rows", floorRate, "rows/s (the same rows, no (sensor, time) index)");
        Console.WriteLine($"history.writer.floor_cpu_per_row: {Measurement.Median([.. floorRuns.Select(r => r.Cpu)]):N2} µs");
        Measurement.Ratio("history.writer.rows/floor", rate, floorRate);
    }

    public static async Task QueriesAsync(bool quick)
    {
        var sensorCount = quick ? 2_000 : 100_000;
        // Quick mode checks the path, not the speed: three days keep it under a minute in CI.
        var days = quick ? 3 : 30;
        var sparseEvery = TimeSpan.FromHours(6);
        await using var postgres = await BenchPostgres.StartAsync();
        var connection = await CreateDatabaseAsync(postgres, "history_bench");
        try
        {
            var demo = DemoCity.Build();
            var now = DateTimeOffset.UtcNow;
            var start = now.AddDays(-days);
            var generated = Stopwatch.StartNew();
            var (rows, dense) = await GenerateAsync(connection, demo, sensorCount, start, now, sparseEvery);
            Console.WriteLine($"history.data: {rows:N0} rows generated by binary COPY in {generated.Elapsed.TotalSeconds:N0} s ({sensorCount:N0} sensors, a reading every " +
                $"{sparseEvery.TotalHours:0} h for {days} days; {dense} every minute; hourly aggregates; vital-sign samples of {demo.Areas.Count:N0} areas); database {await SizeAsync(connection)}");

            using var folder = new TempFolder();
            await using var silo = await SiloProcess.StartAsync(folder.Path, ["--storage", "postgres", "--connection", connection], TimeSpan.FromMinutes(5));
            var from = Uri.EscapeDataString(start.ToString("O", CultureInfo.InvariantCulture));
            var to = Uri.EscapeDataString(now.ToString("O", CultureInfo.InvariantCulture));
            var sparse = demo.Sensors[1].SensorId;
            var queries = new (string Name, string Path)[]
            {
                ($"history.query.sensor_{days}d_1h", $"/api/devices/{dense}/history?from={from}&to={to}&step=1h"),
                ($"history.query.sensor_{days}d_raw_too_many", $"/api/devices/{dense}/history?from={from}&to={to}"),
                ($"history.query.sensor_{days}d_raw", $"/api/devices/{sparse}/history?from={from}&to={to}"),
                ($"history.query.city_flood_{days}d", $"/api/areas/city/history?index=flood&from={from}&to={to}"),
                ($"history.query.events_{days}d", $"/api/history/events?from={from}&to={to}"),
                ($"history.query.state_{days / 2}d_ago", $"/api/history/state?index=flood&at={Uri.EscapeDataString(now.AddDays(-days / 2.0).ToString("O", CultureInfo.InvariantCulture))}"),
            };
            foreach (var (label, path) in queries)
            {
                var times = new List<double>();
                string answer = string.Empty;
                for (var i = 0; i < (quick ? 5 : 21); i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await silo.Http.GetAsync(path);
                    answer = await response.Content.ReadAsStringAsync();
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {answer[..Math.Min(400, answer.Length)]}");
                    }
                    if (i > 0)
                    {
                        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                }
                var median = Measurement.Median(times);
                Console.WriteLine($"{label}: {median:N1} ms median, {times.Max():N1} ms max ({answer.Length / 1024:N0} KB answer){(median <= QueryTargetMs ? string.Empty : $" MISSED ≤ {QueryTargetMs} ms")}");
            }
            await silo.StopAsync();
        }
        finally
        {
            await DropDatabaseAsync(postgres, connection);
        }
    }

    /// <summary>
    /// Readings of the demo city's sensors and of simulated ones up to the count, in time order as they would have
    /// arrived (so a sensor's rows are scattered over the table, as in a live city), one sensor every minute; the
    /// hourly aggregates of the same readings; vital-sign samples of every area (city, districts and streets every
    /// 5 minutes, grids every hour); every demo sensor's alarm raised and cleared four times a day.
    /// </summary>
    private static async Task<(long Rows, string Dense)> GenerateAsync(string connection, CityModel demo, int sensorCount, DateTimeOffset start, DateTimeOffset end, TimeSpan sparseEvery)
    {
        await using var store = new PostgresHistoryStore(connection);
        await store.InstallAsync(CancellationToken.None);
        var days = Enumerable.Range(0, (int)(end - start).TotalDays + 2).Select(d => start.AddDays(d).UtcTicks);
        await store.EnsurePartitionsAsync(days, CancellationToken.None);

        var ids = demo.Sensors.Select(s => s.SensorId).Concat(Enumerable.Range(1, Math.Max(0, sensorCount - demo.Sensors.Count)).Select(i => $"SIM-{i:D6}"))
            .Take(sensorCount).ToArray();
        var dense = ids[0];
        var random = new Random(17);
        long rows = 0;
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();

        await using (var import = await db.BeginBinaryImportAsync($"COPY {HistoryStore.ReadingTable} (sensor_id, at, value) FROM STDIN (FORMAT BINARY)"))
        {
            var slot = sparseEvery.Ticks;
            for (var at = start.UtcTicks - start.UtcTicks % TimeSpan.TicksPerMinute; at < end.UtcTicks; at += TimeSpan.TicksPerMinute)
            {
                Row(import, dense, at, 1 + Math.Sin(at / (double)TimeSpan.TicksPerHour));
                rows++;
                // Each sparse sensor reports once a slot, at its own offset within it.
                var slotStart = at - at % slot;
                var minuteOfSlot = (at - slotStart) / TimeSpan.TicksPerMinute;
                var minutesInSlot = slot / TimeSpan.TicksPerMinute;
                for (var s = 1 + (int)minuteOfSlot; s < ids.Length; s += (int)minutesInSlot)
                {
                    Row(import, ids[s], at, random.NextDouble() * 50);
                    rows++;
                }
            }
            await import.CompleteAsync();
        }

        // The hourly aggregates, as the writer keeps them, from the rows just written.
        await new NpgsqlCommand($"""
            INSERT INTO {HistoryStore.HourTable} (sensor_id, bucket, low, high, total, n)
            SELECT sensor_id, at - at % {TimeSpan.TicksPerHour}, MIN(value), MAX(value), SUM(value), COUNT(*) FROM {HistoryStore.ReadingTable}
            GROUP BY sensor_id, at - at % {TimeSpan.TicksPerHour}
            """, db) { CommandTimeout = 0 }.ExecuteNonQueryAsync();
        rows += await CountAsync(db, HistoryStore.HourTable);

        await using (var import = await db.BeginBinaryImportAsync(
            $"COPY {HistoryStore.SignsTable} (code, at, flood, safety, infrastructure, case_handling, composite) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var area in demo.Areas)
            {
                var every = area.Level == AreaLevel.Grid ? TimeSpan.FromHours(1).Ticks : TimeSpan.FromMinutes(5).Ticks;
                for (var at = start.UtcTicks - start.UtcTicks % every; at < end.UtcTicks; at += every)
                {
                    var flood = 100 - 30 * Math.Max(0, Math.Sin(at / (double)TimeSpan.TicksPerDay));
                    await import.StartRowAsync();
                    await import.WriteAsync(area.Code, NpgsqlDbType.Text);
                    await import.WriteAsync(at, NpgsqlDbType.Bigint);
                    foreach (var value in new[] { flood, 100.0, 100.0, 95.0, (flood + 295) / 4 })
                    {
                        await import.WriteAsync(value, NpgsqlDbType.Double);
                    }
                    rows++;
                }
            }
            await import.CompleteAsync();
        }
        // Alarm changes: each demo sensor raised to Yellow and cleared every 6 hours at its own offset (the state query
        // probes each sensor's last change at a moment among them).
        await using (var import = await db.BeginBinaryImportAsync(
            $"COPY {HistoryStore.EventTable} (at, kind, subject, grid, from_state, to_state, value) FROM STDIN (FORMAT BINARY)"))
        {
            var cycle = TimeSpan.FromHours(6).Ticks;
            for (var i = 0; i < demo.Sensors.Count; i++)
            {
                var sensor = demo.Sensors[i];
                for (var at = start.UtcTicks + i * (cycle / demo.Sensors.Count); at < end.UtcTicks; at += cycle)
                {
                    foreach (var (offset, from, to) in new[] { (0L, "None", "Yellow"), (TimeSpan.TicksPerHour, "Yellow", "None") })
                    {
                        await import.StartRowAsync();
                        await import.WriteAsync(at + offset, NpgsqlDbType.Bigint);
                        await import.WriteAsync("alarm", NpgsqlDbType.Text);
                        await import.WriteAsync(sensor.SensorId, NpgsqlDbType.Text);
                        await import.WriteAsync(sensor.GridCode, NpgsqlDbType.Text);
                        await import.WriteAsync(from, NpgsqlDbType.Text);
                        await import.WriteAsync(to, NpgsqlDbType.Text);
                        await import.WriteAsync(1.0, NpgsqlDbType.Double);
                        rows++;
                    }
                }
            }
            await import.CompleteAsync();
        }
        await new NpgsqlCommand("ANALYZE", db) { CommandTimeout = 0 }.ExecuteNonQueryAsync();
        return (rows, dense);
    }

    private static void Row(NpgsqlBinaryImporter import, string sensor, long at, double value)
    {
        import.StartRow();
        import.Write(sensor, NpgsqlDbType.Text);
        import.Write(at, NpgsqlDbType.Bigint);
        import.Write(value, NpgsqlDbType.Double);
    }

    private static async Task<long> CountAsync(NpgsqlConnection db, string table) =>
        (long)(await new NpgsqlCommand($"SELECT COUNT(*) FROM {table}", db) { CommandTimeout = 0 }.ExecuteScalarAsync())!;

    private static async Task<string> SizeAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        return (string)(await new NpgsqlCommand("SELECT pg_size_pretty(pg_database_size(current_database()))", db).ExecuteScalarAsync())!;
    }
}
