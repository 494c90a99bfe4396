namespace CityOps.Twin.Silo.History;

/// <summary>
/// The city's history (configuration section <c>History</c>, e.g. <c>--History:Enabled false</c>). Each number says
/// where it comes from; README, "History", says what each costs.
/// </summary>
public sealed class HistoryOptions
{
    /// <summary>Off: nothing is appended and the history API answers 404 saying so (the ingest benchmark's baseline).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Entries waiting for the writer at most. A full buffer drops what comes next and counts it (health Degraded,
    /// <c>twin.history.dropped</c>) rather than making a reading wait: 1,048,576 entries are about 17 s of the history
    /// benchmark's fastest ingest (62,000 readings a second) and at most about 100 MB (the buffer grows only as far as
    /// it fills), room for a SQLite fold that the busy cores stretch to seconds (at 262,144 that ingest dropped about 1%
    /// during folds) or a database that stalls a few seconds.
    /// </summary>
    public int BufferEntries { get; set; } = 1_048_576;

    /// <summary>Entries in one transaction at most: thousands a round trip, so a batch costs one commit.</summary>
    public int BatchEntries { get; set; } = 8_192;

    /// <summary>
    /// How often every area's vital signs are sampled into the history (an area whose indices did not change since
    /// its last stored sample stores none; the API carries the last one forward). Five minutes is the trend's interval
    /// (VitalSignsOptions.TrendInterval), so the wall's 12-hour trend and the history agree.
    /// </summary>
    public TimeSpan SignsInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Days of readings, their hourly aggregates, vital-sign samples and device events kept (the 400).</summary>
    public int ReadingDays { get; set; } = 400;

    /// <summary>Days of alarm changes, case steps and mode switches kept; 0 keeps them for ever (the default).</summary>
    public int EventDays { get; set; }

    /// <summary>How often retention runs (and, on PostgreSQL, the coming days' partitions are made).</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows one answer of the history API holds at most (readings, buckets, samples or events).</summary>
    public int MaxRows { get; set; } = 10_000;

    /// <summary>What is wrong with these settings, or null.</summary>
    public string? Problem() =>
        BufferEntries < 1_000 ? $"History:BufferEntries {BufferEntries} is below 1000"
        : BatchEntries is < 1 or > 100_000 ? $"History:BatchEntries {BatchEntries} is not from 1 to 100000"
        : SignsInterval < TimeSpan.FromSeconds(10) || SignsInterval > TimeSpan.FromDays(1) ? $"History:SignsInterval {SignsInterval} is not from 10 s to a day"
        : ReadingDays < 1 ? $"History:ReadingDays {ReadingDays} must be at least 1"
        : EventDays < 0 ? $"History:EventDays {EventDays} must be 0 (for ever) or more"
        : MaintenanceInterval < TimeSpan.FromMinutes(1) ? $"History:MaintenanceInterval {MaintenanceInterval} is under a minute"
        : MaxRows is < 100 or > 1_000_000 ? $"History:MaxRows {MaxRows} is not from 100 to 1000000"
        : null;
}
