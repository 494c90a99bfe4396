using System.Data.Common;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Silo.Storage;

namespace CityOps.Twin.Silo.History;

/// <summary>
/// The history's tables and queries, the same on SQLite and PostgreSQL (times are UTC ticks in a bigint, so what is read
/// back is the instant that was written, to the 100 ns): raw readings, their hourly aggregates (kept by the writer in the
/// transactions that write the readings), vital-sign samples and events. How a batch is written and how old rows go is each
/// database's (<see cref="SqliteHistoryStore"/>, <see cref="PostgresHistoryStore"/>).
/// </summary>
public abstract class HistoryStore : IAsyncDisposable
{
    public const string ReadingTable = "twin_history_reading";
    public const string HourTable = "twin_history_reading_hour";
    public const string EventTable = "twin_history_event";
    public const string SignsTable = "twin_history_sign";

    /// <summary>Where the history is, for messages (never a password).</summary>
    public abstract string Describe();

    public abstract Task InstallAsync(CancellationToken cancellationToken);

    /// <summary>Appends readings and events and adds the readings to their hours' aggregates, all in one transaction.</summary>
    public abstract Task WriteAsync(IReadOnlyList<QueuedReading> readings, IReadOnlyList<QueuedEvent> events, CancellationToken cancellationToken);

    /// <summary>Stores samples; one stored before for the same area and time (another silo's, or earlier in the interval) is replaced: the last wins, as in the trend.</summary>
    public abstract Task WriteSignsAsync(IReadOnlyList<SignsSample> samples, CancellationToken cancellationToken);

    /// <summary>Removes what is older than the retention allows; answers how many rows (or partitions) went.</summary>
    public abstract Task<long> EnforceRetentionAsync(DateTimeOffset now, HistoryOptions options, CancellationToken cancellationToken);

    protected abstract Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken);

    /// <summary>SQL true when the text column holds the parameter's text.</summary>
    protected abstract string Contains(string column, string parameter);

    public abstract ValueTask DisposeAsync();

    /// <summary>The hourly aggregates a batch of readings adds to, one per sensor and hour.</summary>
    protected static List<(string SensorId, ReadingBucket Bucket)> HourDeltas(IReadOnlyList<QueuedReading> readings)
    {
        var hours = new Dictionary<(string, long), ReadingBucket>();
        foreach (var reading in readings)
        {
            var key = (reading.SensorId, reading.AtTicks - reading.AtTicks % TimeSpan.TicksPerHour);
            hours[key] = hours.TryGetValue(key, out var bucket)
                ? new ReadingBucket(key.Item2, Math.Min(bucket.Min, reading.Value), Math.Max(bucket.Max, reading.Value), bucket.Sum + reading.Value, bucket.Count + 1)
                : new ReadingBucket(key.Item2, reading.Value, reading.Value, reading.Value, 1);
        }
        return [.. hours.Select(pair => (pair.Key.Item1, pair.Value))];
    }

    /// <summary>
    /// Where a query finds the raw readings (sensor_id, at, value): the readings table, or on SQLite the table and the
    /// readings not yet folded into it (<see cref="SqliteHistoryStore"/>).
    /// </summary>
    protected virtual string ReadingsSource => ReadingTable;

    public Task<IReadOnlyList<StoredReading>> ReadingsAsync(string sensorId, long fromTicks, long toTicks, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT at, value FROM {ReadingsSource} AS r WHERE sensor_id = @s AND at >= @f AND at <= @t ORDER BY at LIMIT @n",
            command => Bind(command, ("@s", sensorId), ("@f", fromTicks), ("@t", toTicks), ("@n", (long)limit)),
            reader => new StoredReading(reader.GetInt64(0), reader.GetDouble(1)), cancellationToken);

    /// <summary>Minute buckets computed from the raw readings (whole minutes from the one holding from to the one holding to).</summary>
    public Task<IReadOnlyList<ReadingBucket>> MinutesAsync(string sensorId, long fromTicks, long toTicks, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"""
            SELECT (at / @w) * @w AS bucket, MIN(value), MAX(value), SUM(value), COUNT(*) FROM {ReadingsSource} AS r
            WHERE sensor_id = @s AND at >= @f AND at < @t GROUP BY (at / @w) * @w ORDER BY bucket LIMIT @n
            """,
            command => Bind(command, ("@w", TimeSpan.TicksPerMinute), ("@s", sensorId), ("@f", Floor(fromTicks, TimeSpan.TicksPerMinute)), ("@t", Floor(toTicks, TimeSpan.TicksPerMinute) + TimeSpan.TicksPerMinute), ("@n", (long)limit)),
            ReadBucket, cancellationToken);

    /// <summary>Hour buckets from the stored aggregates (whole hours from the one holding from to the one holding to).</summary>
    public virtual Task<IReadOnlyList<ReadingBucket>> HoursAsync(string sensorId, long fromTicks, long toTicks, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT bucket, low, high, total, n FROM {HourTable} WHERE sensor_id = @s AND bucket >= @f AND bucket <= @t ORDER BY bucket LIMIT @n",
            command => Bind(command, ("@s", sensorId), ("@f", Floor(fromTicks, TimeSpan.TicksPerHour)), ("@t", Floor(toTicks, TimeSpan.TicksPerHour)), ("@n", (long)limit)),
            ReadBucket, cancellationToken);

    /// <summary>An area's samples of one index from from to to, preceded by the last one before from (the value then in force).</summary>
    public async Task<IReadOnlyList<StoredSignPoint>> SamplesAsync(string code, SignsIndex index, long fromTicks, long toTicks, int limit, CancellationToken cancellationToken)
    {
        var column = Column(index);
        var points = await QueryAsync($"""
            SELECT at, v FROM (SELECT at, {column} AS v FROM {SignsTable} WHERE code = @c AND at < @f ORDER BY at DESC LIMIT 1) AS before_range
            UNION ALL
            SELECT at, v FROM (SELECT at, {column} AS v FROM {SignsTable} WHERE code = @c AND at >= @f AND at <= @t ORDER BY at LIMIT @n) AS in_range
            """,
            command => Bind(command, ("@c", code), ("@f", fromTicks), ("@t", toTicks), ("@n", (long)limit)),
            reader => new StoredSignPoint(reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(1), reader.GetDouble(1)), cancellationToken);
        return [.. points.OrderBy(p => p.AtTicks)];
    }

    /// <summary>An area's samples of one index in buckets of the given width: mean, minimum and maximum of each.</summary>
    public Task<IReadOnlyList<StoredSignPoint>> SampleBucketsAsync(string code, SignsIndex index, long fromTicks, long toTicks, long widthTicks, int limit, CancellationToken cancellationToken)
    {
        var column = Column(index);
        return QueryAsync($"""
            SELECT (at / @w) * @w AS bucket, AVG({column}), MIN({column}), MAX({column}) FROM {SignsTable}
            WHERE code = @c AND at >= @f AND at <= @t GROUP BY (at / @w) * @w ORDER BY bucket LIMIT @n
            """,
            command => Bind(command, ("@w", widthTicks), ("@c", code), ("@f", fromTicks), ("@t", toTicks), ("@n", (long)limit)),
            reader => new StoredSignPoint(reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3)), cancellationToken);
    }

    /// <summary>
    /// Each area's index as of the moment: the latest sample at or before it (areas with none are left out). One probe of
    /// the samples' primary key (code, at) an area, so the cost grows with the areas asked for, not with the history kept.
    /// </summary>
    public Task<IReadOnlyList<StoredAreaValue>> AreaValuesAtAsync(IReadOnlyList<string> codes, SignsIndex index, long atTicks, CancellationToken cancellationToken) =>
        QueryAsync(LatestSamplesQuery(Column(index)),
            command => { BindList(command, "@codes", codes); command.AddParameter("@t", atTicks); },
            reader => new StoredAreaValue(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)), cancellationToken);

    /// <summary>
    /// The sensors in alarm at the moment: those whose last alarm change at or before it left them at a level other than
    /// None. One probe a sensor of the alarm changes' own index (subject, at), so a long history costs no scan.
    /// </summary>
    public Task<IReadOnlyList<StoredAlarmLevel>> AlarmLevelsAtAsync(IReadOnlyList<string> sensorIds, long atTicks, CancellationToken cancellationToken) =>
        QueryAsync(LatestAlarmsQuery(),
            command => { BindList(command, "@ids", sensorIds); command.AddParameter("@t", atTicks); },
            reader => new StoredAlarmLevel(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), NullableString(reader, 3)), cancellationToken);

    /// <summary>
    /// Code, time and the column's value of each listed area's (@codes) latest sample at or before @t. This form (a
    /// correlated probe for the time, then the row by its key) is SQLite's, which runs it once an area; PostgreSQL
    /// says it with LATERAL.
    /// </summary>
    protected virtual string LatestSamplesQuery(string column) => $"""
        SELECT s.code, s.at, s.{column} FROM {EachOf("@codes")} JOIN {SignsTable} s ON s.code = c.value
          AND s.at = (SELECT m.at FROM {SignsTable} m WHERE m.code = c.value AND m.at <= @t ORDER BY m.at DESC LIMIT 1)
        """;

    /// <summary>Subject, time, level and grid of each listed sensor's (@ids) last alarm change at or before @t, when that left it in alarm.</summary>
    protected virtual string LatestAlarmsQuery() => $"""
        SELECT e.subject, e.at, e.to_state, e.grid FROM {EachOf("@ids")} JOIN {EventTable} e ON e.seq = (
            SELECT l.seq FROM {EventTable} l WHERE l.kind = 'alarm' AND l.subject = c.value AND l.at <= @t ORDER BY l.at DESC, l.seq DESC LIMIT 1)
        WHERE e.to_state IS NOT NULL AND e.to_state <> 'None'
        """;

    /// <summary>The last mode switch at or before the moment (the mode then is its To), or null when none is kept.</summary>
    public async Task<StoredEvent?> ModeAtAsync(long atTicks, CancellationToken cancellationToken)
    {
        var switches = await QueryAsync($"""
            SELECT at, kind, subject, grid, from_state, to_state, value, actor, note FROM {EventTable}
            WHERE kind = 'mode' AND at <= @t ORDER BY at DESC, seq DESC LIMIT 1
            """,
            command => command.AddParameter("@t", atTicks), ReadEvent, cancellationToken).ConfigureAwait(false);
        return switches.Count > 0 ? switches[0] : null;
    }

    /// <summary>A FROM item of the list bound as <paramref name="parameter"/>, one row a text in its column <c>value</c>, aliased c.</summary>
    protected abstract string EachOf(string parameter);

    /// <summary>Binds a list of texts as <see cref="EachOf"/> reads it.</summary>
    protected abstract void BindList(DbCommand command, string parameter, IReadOnlyList<string> values);

    /// <summary>Events from from to to in time order; a switch (no grid) matches every area.</summary>
    public Task<IReadOnlyList<StoredEvent>> EventsAsync(EventFilter filter, int limit, CancellationToken cancellationToken)
    {
        var where = new List<string> { "at >= @f", "at <= @t" };
        if (filter.Kinds.Count > 0)
        {
            where.Add($"kind IN ({string.Join(", ", filter.Kinds.Select((_, i) => $"@k{i}"))})");
        }
        if (filter.AreaCode is not null)
        {
            where.Add($"(area IS NULL OR {Contains("area", "@a")})");
        }
        if (filter.Subject is not null)
        {
            where.Add("subject = @subject");
        }
        return QueryAsync($"""
            SELECT at, kind, subject, grid, from_state, to_state, value, actor, note FROM {EventTable}
            WHERE {string.Join(" AND ", where)} ORDER BY at, seq LIMIT @n
            """,
            command =>
            {
                command.AddParameter("@f", filter.FromTicks);
                command.AddParameter("@t", filter.ToTicks);
                for (var i = 0; i < filter.Kinds.Count; i++)
                {
                    command.AddParameter($"@k{i}", KindName(filter.Kinds[i]));
                }
                if (filter.AreaCode is not null)
                {
                    command.AddParameter("@a", $"/{filter.AreaCode}/");
                }
                if (filter.Subject is not null)
                {
                    command.AddParameter("@subject", filter.Subject);
                }
                command.AddParameter("@n", (long)limit);
            },
            ReadEvent, cancellationToken);
    }

    private static StoredEvent ReadEvent(DbDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3), NullableString(reader, 4),
            NullableString(reader, 5), reader.IsDBNull(6) ? null : reader.GetDouble(6), NullableString(reader, 7), NullableString(reader, 8));

    /// <summary>The kind as stored and as the API names it.</summary>
    public static string KindName(HistoryEventKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The kinds of events kept as long as the events' retention says (the rest follow the readings').</summary>
    protected static readonly string[] LastingKinds = [KindName(HistoryEventKind.Alarm), KindName(HistoryEventKind.Case), KindName(HistoryEventKind.Mode)];

    protected static long Floor(long ticks, long width) => ticks - (((ticks % width) + width) % width);

    private static string Column(SignsIndex index) => index switch
    {
        SignsIndex.Flood => "flood",
        SignsIndex.Safety => "safety",
        SignsIndex.Infrastructure => "infrastructure",
        SignsIndex.CaseHandling => "case_handling",
        SignsIndex.Composite => "composite",
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "not an index of the vital signs"),
    };

    protected static ReadingBucket ReadBucket(DbDataReader reader) =>
        new(reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetInt64(4));

    protected static void Bind(DbCommand command, params (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            command.AddParameter(name, value);
        }
    }

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    protected async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}

