using System.Data.Common;
using CityOps.Twin.Silo.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CityOps.Twin.Silo.History;

/// <summary>
/// The history on SQLite, in a file of its own beside the twin's (<see cref="FileName"/> in --data): SQLite has one
/// writer a file, and the grain states' group commit holds the twin's file's; a history batch there would make a case
/// step wait behind thousands of readings. One connection writes (WAL, synchronous NORMAL), each batch one transaction;
/// readers open their own (WAL: they never wait for the writer).
/// <para>
/// A batch's readings are appended to <see cref="RecentTable"/>, which has no index: a reading costs a row at the end of
/// the file. Every <see cref="FoldEvery"/>, or sooner once it holds <see cref="FoldRows"/>, a batch's transaction also
/// folds those readings into the readings table in (sensor, time) order and adds them to their hours' aggregates (exact:
/// the watermark moves in the same transaction). Written straight into the (sensor, time) index, each reading of a city
/// of many sensors landed on a page of its own, and every such page was written to the WAL and back at each commit (12.6
/// µs of CPU a reading at 100,000 sensors, bench <c>history writer</c>); folded, a sensor's readings of the interval share
/// their page. Queries read both tables (<see cref="ReadingsSource"/>); the recent one is scanned, so it is kept small.
/// </para>
/// </summary>
public sealed class SqliteHistoryStore : HistoryStore
{
    public const string FileName = "cityops-twin-history.db";

    /// <summary>
    /// Rows a multi-row statement holds. Few: Microsoft.Data.Sqlite binds each parameter by looking its name up among the
    /// statement's, a scan, so a statement of 256 rows (768 parameters) spent most of a batch's time finding names
    /// (about 10,000 rows a second here); 32 rows keep the statements few and the lookups short.
    /// </summary>
    private const int RowsAStatement = 32;

    /// <summary>Rows one retention statement deletes: short transactions, so a batch of readings never waits long.</summary>
    private const int DeleteChunk = 5_000;

    private static readonly string[] Schema =
    [
        $"CREATE TABLE IF NOT EXISTS {ReadingTable} (sensor_id TEXT NOT NULL, at INTEGER NOT NULL, value REAL NOT NULL)",
        $"CREATE INDEX IF NOT EXISTS {ReadingTable}_sensor_at ON {ReadingTable} (sensor_id, at)",
        $"CREATE TABLE IF NOT EXISTS {RecentTable} (sensor_id TEXT NOT NULL, at INTEGER NOT NULL, value REAL NOT NULL)",
        $"""
        CREATE TABLE IF NOT EXISTS {HourTable} (sensor_id TEXT NOT NULL, bucket INTEGER NOT NULL, low REAL NOT NULL, high REAL NOT NULL,
            total REAL NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (sensor_id, bucket)) WITHOUT ROWID
        """,
        $"CREATE INDEX IF NOT EXISTS {HourTable}_bucket ON {HourTable} (bucket)",
        $"""
        CREATE TABLE IF NOT EXISTS {EventTable} (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
            grid TEXT, area TEXT, from_state TEXT, to_state TEXT, value REAL, actor TEXT, note TEXT)
        """,
        $"CREATE INDEX IF NOT EXISTS {EventTable}_at ON {EventTable} (at)",
        // The state at a moment (AlarmLevelsAtAsync, ModeAtAsync): a sensor's last alarm change, the last switch, each one probe.
        $"CREATE INDEX IF NOT EXISTS {EventTable}_alarm ON {EventTable} (subject, at) WHERE kind = 'alarm'",
        $"CREATE INDEX IF NOT EXISTS {EventTable}_mode ON {EventTable} (at) WHERE kind = 'mode'",
        $"""
        CREATE TABLE IF NOT EXISTS {SignsTable} (code TEXT NOT NULL, at INTEGER NOT NULL, flood REAL NOT NULL, safety REAL NOT NULL,
            infrastructure REAL NOT NULL, case_handling REAL NOT NULL, composite REAL NOT NULL, PRIMARY KEY (code, at)) WITHOUT ROWID
        """,
        $"CREATE INDEX IF NOT EXISTS {SignsTable}_at ON {SignsTable} (at)",
        $"CREATE TABLE IF NOT EXISTS {WatermarkTable} (name TEXT PRIMARY KEY, last_rowid INTEGER NOT NULL)",
        $"INSERT OR IGNORE INTO {WatermarkTable} (name, last_rowid) VALUES ('hours', 0)",
    ];

    /// <summary>The last reading (by rowid, arrival order) already added to the hourly aggregates.</summary>
    private const string WatermarkTable = "twin_history_watermark";

    /// <summary>The readings that arrived since the last fold, in arrival order, without an index.</summary>
    public const string RecentTable = "twin_history_reading_recent";

    /// <summary>
    /// How often the recent readings are folded into the readings table and their hours' aggregates: one index entry
    /// placed per reading in sensor order, and one upsert a sensor and hour, an interval.
    /// </summary>
    public static readonly TimeSpan FoldEvery = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Recent readings that fold at once, before <see cref="FoldEvery"/>: a query scans them all, and a fold holds the
    /// writer while it runs (about 0.5 s for 200,000 readings of 100,000 sensors here, and the commit's 0.1 to 0.4 s). More
    /// a fold costs less a reading (a sensor's readings share more of their page) but holds the writer longer: at
    /// 500,000, the benchmark's fastest ingest filled the buffer during folds and entries were dropped.
    /// </summary>
    public const int FoldRows = 200_000;

    private long _foldedAt;
    private long _recentRows;
    private sqlite3_stmt? _insertRecent;

    /// <summary>The writer's page cache: 256 MB, the index pages of a few days of 100,000 sensors' readings.</summary>
    private const int WriterCacheKilobytes = 262_144;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Dictionary<(string Table, int Rows), SqliteCommand> _prepared = [];
    private SqliteConnection? _connection;

    private readonly int _foldRows;

    /// <param name="foldRows">Recent readings that fold at once (<see cref="FoldRows"/>; tests set fewer).</param>
    public SqliteHistoryStore(string dataFolder, int foldRows = FoldRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(foldRows, 1);
        _foldRows = foldRows;
        Path = System.IO.Path.Combine(dataFolder, FileName);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true }.ConnectionString;
    }

    public string Path { get; }

    public override string Describe() => $"SQLite file {Path}";

    public override async Task InstallAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", cancellationToken).ConfigureAwait(false);
        // The history's own file: a power cut may lose its last commits, which the buffer's window loses anyway (README).
        await ExecuteAsync(connection, null, "PRAGMA synchronous=NORMAL", cancellationToken).ConfigureAwait(false);
        // The readings' (sensor, time) index takes each batch at as many places as it has sensors: SQLite's default 2 MB
        // page cache let it fall to a few thousand rows a second at 100,000 sensors.
        await ExecuteAsync(connection, null, $"PRAGMA cache_size=-{WriterCacheKilobytes}", cancellationToken).ConfigureAwait(false);
        await using (var transaction = connection.BeginTransaction(deferred: false))
        {
            foreach (var statement in Schema)
            {
                await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var count = connection.CreateCommand())
        {
            count.CommandText = $"SELECT COUNT(*) FROM {RecentTable}";
            _recentRows = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        // The hottest statement of the history, bound by position through SQLite's own API: Microsoft.Data.Sqlite looks
        // each parameter up by name at every execution, which was a sixth of the writer's time.
        Check(raw.sqlite3_prepare_v2(connection.Handle, $"INSERT INTO {RecentTable} (sensor_id, at, value) VALUES (?1, ?2, ?3)", out var insert), connection);
        _insertRecent = insert;
        // The first batch folds what an earlier run left unfolded (and adds a file's unaggregated readings to their hours).
        _foldedAt = 0;
        _connection = connection;
    }

    /// <summary>
    /// Writes a batch, folding when due. All of it runs on the caller's thread, the history writer's own: Microsoft.Data.Sqlite
    /// is synchronous, and the connection's lock is waited for, not awaited (retention's short deletes may hold it), so a
    /// fold never lands on a thread-pool thread.
    /// </summary>
    public override async Task WriteAsync(IReadOnlyList<QueuedReading> readings, IReadOnlyList<QueuedEvent> events, CancellationToken cancellationToken)
    {
        _writer.Wait(cancellationToken);
        try
        {
            var connection = Connection;
            await using var transaction = connection.BeginTransaction(deferred: false);
            AppendRecent(connection, readings);
            await InsertAsync(connection, transaction, $"INSERT INTO {EventTable} (at, kind, subject, grid, area, from_state, to_state, value, actor, note) VALUES",
                string.Empty, 10, events, (queued, p, at) =>
                {
                    var e = queued.Event;
                    p[at].Value = e.At.UtcTicks;
                    p[at + 1].Value = KindName(e.Kind);
                    p[at + 2].Value = e.Subject;
                    p[at + 3].Value = (object?)e.GridCode ?? DBNull.Value;
                    p[at + 4].Value = (object?)queued.AreaPath ?? DBNull.Value;
                    p[at + 5].Value = (object?)e.From ?? DBNull.Value;
                    p[at + 6].Value = (object?)e.To ?? DBNull.Value;
                    p[at + 7].Value = (object?)e.Value ?? DBNull.Value;
                    p[at + 8].Value = (object?)e.Actor ?? DBNull.Value;
                    p[at + 9].Value = (object?)e.Note ?? DBNull.Value;
                }, cancellationToken).ConfigureAwait(false);
            var fold = _recentRows >= _foldRows || System.Diagnostics.Stopwatch.GetElapsedTime(_foldedAt) >= FoldEvery;
            var folding = System.Diagnostics.Stopwatch.GetTimestamp();
            if (fold)
            {
                await FoldAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (fold)
            {
                Folded(folding);
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Folds the recent readings now (tests; the writer folds as it goes).</summary>
    public async Task FoldAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Connection;
            await using var transaction = connection.BeginTransaction(deferred: false);
            var folding = System.Diagnostics.Stopwatch.GetTimestamp();
            await FoldAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Folded(folding);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Folds done since the store was installed.</summary>
    public int Folds => Volatile.Read(ref _folds);

    /// <summary>The time folds held the writer (the fold's statements and its batch's commit), all of them.</summary>
    public TimeSpan FoldTime => TimeSpan.FromTicks(Interlocked.Read(ref _foldTicks));

    private int _folds;
    private long _foldTicks;

    private void Folded(long startedAt)
    {
        _recentRows = 0;
        _foldedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.Add(ref _foldTicks, System.Diagnostics.Stopwatch.GetElapsedTime(startedAt, _foldedAt).Ticks);
        Interlocked.Increment(ref _folds);
    }

    /// <summary>Appends the readings to the recent table, one prepared statement bound by position.</summary>
    private void AppendRecent(SqliteConnection connection, IReadOnlyList<QueuedReading> readings)
    {
        var insert = _insertRecent ?? throw new InvalidOperationException($"The history in {Path} is not installed yet.");
        foreach (var reading in readings)
        {
            Check(raw.sqlite3_bind_text(insert, 1, reading.SensorId), connection);
            Check(raw.sqlite3_bind_int64(insert, 2, reading.AtTicks), connection);
            Check(raw.sqlite3_bind_double(insert, 3, reading.Value), connection);
            var done = raw.sqlite3_step(insert);
            raw.sqlite3_reset(insert);
            if (done != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(done, connection.Handle);
            }
        }
        _recentRows += readings.Count;
    }

    private static void Check(int code, SqliteConnection connection)
    {
        if (code != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(code, connection.Handle);
        }
    }

    /// <summary>
    /// In the batch's transaction: moves the recent readings into the readings table in (sensor, time) order, then adds
    /// the readings past the watermark (those, and any an earlier version of the twin left) to their hours' aggregates
    /// and moves the watermark.
    /// </summary>
    private static async Task FoldAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT INTO {ReadingTable} (sensor_id, at, value) SELECT sensor_id, at, value FROM {RecentTable} ORDER BY sensor_id, at;
            DELETE FROM {RecentTable};
            INSERT INTO {HourTable} (sensor_id, bucket, low, high, total, n)
            SELECT sensor_id, at - at % {TimeSpan.TicksPerHour}, MIN(value), MAX(value), SUM(value), COUNT(*) FROM {ReadingTable}
            WHERE rowid > (SELECT last_rowid FROM {WatermarkTable} WHERE name = 'hours')
            GROUP BY sensor_id, at - at % {TimeSpan.TicksPerHour}
            ON CONFLICT (sensor_id, bucket) DO UPDATE SET low = min(low, excluded.low), high = max(high, excluded.high),
                total = total + excluded.total, n = n + excluded.n;
            UPDATE {WatermarkTable} SET last_rowid = (SELECT COALESCE(MAX(rowid), 0) FROM {ReadingTable}) WHERE name = 'hours';
            """;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override string ReadingsSource =>
        $"(SELECT sensor_id, at, value FROM {ReadingTable} UNION ALL SELECT sensor_id, at, value FROM {RecentTable})";

    /// <summary>The stored hours, with the readings not yet aggregated added, read in one statement (one snapshot of the file).</summary>
    public override async Task<IReadOnlyList<ReadingBucket>> HoursAsync(string sensorId, long fromTicks, long toTicks, int limit, CancellationToken cancellationToken)
    {
        var (from, to) = (Floor(fromTicks, TimeSpan.TicksPerHour), Floor(toTicks, TimeSpan.TicksPerHour));
        var parts = await QueryAsync($"""
            SELECT bucket, low, high, total, n FROM {HourTable} WHERE sensor_id = @s AND bucket >= @f AND bucket <= @t
            UNION ALL
            SELECT at - at % {TimeSpan.TicksPerHour}, MIN(value), MAX(value), SUM(value), COUNT(*) FROM {ReadingTable}
            WHERE sensor_id = @s AND at >= @f AND at < @t + {TimeSpan.TicksPerHour}
              AND rowid > (SELECT last_rowid FROM {WatermarkTable} WHERE name = 'hours')
            GROUP BY at - at % {TimeSpan.TicksPerHour}
            UNION ALL
            SELECT at - at % {TimeSpan.TicksPerHour}, MIN(value), MAX(value), SUM(value), COUNT(*) FROM {RecentTable}
            WHERE sensor_id = @s AND at >= @f AND at < @t + {TimeSpan.TicksPerHour}
            GROUP BY at - at % {TimeSpan.TicksPerHour}
            """, command => Bind(command, ("@s", sensorId), ("@f", from), ("@t", to)), ReadBucket, cancellationToken).ConfigureAwait(false);
        return [.. parts.GroupBy(b => b.StartTicks).OrderBy(g => g.Key).Take(limit).Select(g => g.Aggregate((a, b) =>
            new ReadingBucket(a.StartTicks, Math.Min(a.Min, b.Min), Math.Max(a.Max, b.Max), a.Sum + b.Sum, a.Count + b.Count)))];
    }

    public override async Task WriteSignsAsync(IReadOnlyList<SignsSample> samples, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Connection;
            await using var transaction = connection.BeginTransaction(deferred: false);
            await InsertAsync(connection, transaction, $"INSERT INTO {SignsTable} (code, at, flood, safety, infrastructure, case_handling, composite) VALUES",
                """
                ON CONFLICT (code, at) DO UPDATE SET flood = excluded.flood, safety = excluded.safety, infrastructure = excluded.infrastructure,
                    case_handling = excluded.case_handling, composite = excluded.composite
                """, 7, samples, (sample, p, at) =>
                {
                    p[at].Value = sample.Code;
                    p[at + 1].Value = sample.AtTicks;
                    p[at + 2].Value = sample.Flood;
                    p[at + 3].Value = sample.Safety;
                    p[at + 4].Value = sample.Infrastructure;
                    p[at + 5].Value = sample.CaseHandling;
                    p[at + 6].Value = sample.Composite;
                }, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// Deletes in chunks of <see cref="DeleteChunk"/>. Readings go from the head of the table (rowid order is arrival
    /// order, and a reading arrives within the ingestion window of its time): a chunk whose oldest rows are all still
    /// young stops the run, so a reading that arrived late may outlive the retention by up to that window.
    /// </summary>
    public override async Task<long> EnforceRetentionAsync(DateTimeOffset now, HistoryOptions options, CancellationToken cancellationToken)
    {
        var readingCutoff = (now - TimeSpan.FromDays(options.ReadingDays)).UtcTicks;
        var lasting = string.Join(", ", LastingKinds.Select(k => $"'{k}'"));
        long removed = 0;
        removed += await DeleteChunksAsync(
            $"DELETE FROM {ReadingTable} WHERE rowid IN (SELECT rowid FROM {ReadingTable} ORDER BY rowid LIMIT {DeleteChunk}) AND at < @cutoff", readingCutoff, cancellationToken).ConfigureAwait(false);
        // Recent readings are minutes old by arrival, but a reading may be measured up to a day before it arrives.
        removed += await DeleteChunksAsync($"DELETE FROM {RecentTable} WHERE at < @cutoff", readingCutoff, cancellationToken).ConfigureAwait(false);
        removed += await DeleteChunksAsync(
            $"DELETE FROM {HourTable} WHERE (sensor_id, bucket) IN (SELECT sensor_id, bucket FROM {HourTable} WHERE bucket < @cutoff LIMIT {DeleteChunk})", readingCutoff, cancellationToken).ConfigureAwait(false);
        removed += await DeleteChunksAsync(
            $"DELETE FROM {SignsTable} WHERE (code, at) IN (SELECT code, at FROM {SignsTable} WHERE at < @cutoff LIMIT {DeleteChunk})", readingCutoff, cancellationToken).ConfigureAwait(false);
        removed += await DeleteChunksAsync(
            $"DELETE FROM {EventTable} WHERE seq IN (SELECT seq FROM {EventTable} WHERE at < @cutoff AND kind NOT IN ({lasting}) LIMIT {DeleteChunk})", readingCutoff, cancellationToken).ConfigureAwait(false);
        if (options.EventDays > 0)
        {
            removed += await DeleteChunksAsync(
                $"DELETE FROM {EventTable} WHERE seq IN (SELECT seq FROM {EventTable} WHERE at < @cutoff AND kind IN ({lasting}) LIMIT {DeleteChunk})",
                (now - TimeSpan.FromDays(options.EventDays)).UtcTicks, cancellationToken).ConfigureAwait(false);
        }
        return removed;
    }

    private async Task<long> DeleteChunksAsync(string sql, long cutoff, CancellationToken cancellationToken)
    {
        long removed = 0;
        while (true)
        {
            int deleted;
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var command = Connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.AddWithValue("@cutoff", cutoff);
                deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writer.Release();
            }
            removed += deleted;
            if (deleted == 0)
            {
                return removed;
            }
        }
    }

    protected override async Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    protected override string Contains(string column, string parameter) => $"instr({column}, {parameter}) > 0";

    protected override string EachOf(string parameter) => $"json_each({parameter}) AS c";

    protected override void BindList(DbCommand command, string parameter, IReadOnlyList<string> values) =>
        command.AddParameter(parameter, System.Text.Json.JsonSerializer.Serialize(values));

    public override async ValueTask DisposeAsync()
    {
        foreach (var command in _prepared.Values)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }
        _prepared.Clear();
        _insertRecent?.Dispose();
        _insertRecent = null;
        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
        _writer.Dispose();
    }

    private SqliteConnection Connection => _connection ?? throw new InvalidOperationException($"The history in {Path} is not installed yet.");

    /// <summary>
    /// Inserts the rows with statements of <see cref="RowsAStatement"/> rows, each prepared once per connection and
    /// reused (the last, shorter one is made for the batch).
    /// </summary>
    private async Task InsertAsync<T>(SqliteConnection connection, SqliteTransaction transaction, string head, string tail, int columns,
        IReadOnlyList<T> rows, Action<T, SqliteParameterCollection, int> bind, CancellationToken cancellationToken)
    {
        for (var start = 0; start < rows.Count; start += RowsAStatement)
        {
            var count = Math.Min(RowsAStatement, rows.Count - start);
            var command = Statement(connection, head, tail, columns, count, out var reused);
            try
            {
                command.Transaction = transaction;
                for (var i = 0; i < count; i++)
                {
                    bind(rows[start + i], command.Parameters, i * columns);
                }
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (!reused)
                {
                    await command.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private SqliteCommand Statement(SqliteConnection connection, string head, string tail, int columns, int rows, out bool reused)
    {
        reused = rows == RowsAStatement;
        if (reused && _prepared.TryGetValue((head, rows), out var prepared))
        {
            return prepared;
        }
        var command = connection.CreateCommand();
        var values = string.Join(", ", Enumerable.Range(0, rows).Select(row => $"({string.Join(", ", Enumerable.Range(0, columns).Select(c => $"@p{row * columns + c}"))})"));
        command.CommandText = $"{head} {values} {tail}";
        for (var i = 0; i < rows * columns; i++)
        {
            command.Parameters.Add(new SqliteParameter($"@p{i}", DBNull.Value));
        }
        if (reused)
        {
            command.Prepare();
            _prepared[(head, rows)] = command;
        }
        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
