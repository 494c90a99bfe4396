using System.Diagnostics.Metrics;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// How far behind the write-behind of hot state runs (meter <see cref="Name"/>): each flush records how long the
/// oldest state it saved had waited since it was written (<c>twin.storage.write_behind.lag</c>, seconds; within the
/// state's window when the database keeps up), a gauge reads how many states wait unsaved now, and a counter
/// (<c>twin.storage.write_behind.waited</c>) counts the writes answered only once their flush committed, while flushes
/// were slow. A crash loses at most what waits, so a lag above the window is what an operator alerts on; writes that
/// wait are where a slow database starts to slow ingest.
/// </summary>
public sealed class WriteBehindMeter
{
    public const string Name = "CityOps.Twin.Storage";

    // Seconds: the windows are a few seconds (TwinGrains.WriteBehind), and a database that stalls shows as tens.
    private static readonly double[] LagBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 120];

    private readonly Histogram<double> _lag;
    private readonly Counter<long> _waited;
    private readonly Lock _gate = new();
    private readonly List<(string State, Func<int> Unsaved)> _buffers = [];

    public WriteBehindMeter(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _lag = meter.CreateHistogram("twin.storage.write_behind.lag", "s",
            "How long the oldest state a write-behind flush saved had waited since it was written, at the flush's commit.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });
        _waited = meter.CreateCounter<long>("twin.storage.write_behind.waited", "{write}",
            "Hot state writes answered only once their flush committed, because flushes were taking more than a quarter of the window.");
        meter.CreateObservableGauge("twin.storage.write_behind.unsaved", ObserveUnsaved, "{state}",
            "Hot states written behind and not yet in the database.");
    }

    /// <summary>Lists a buffer's unsaved count under its state name until the returned handle is disposed.</summary>
    internal IDisposable Track(string stateName, Func<int> unsaved)
    {
        var entry = (stateName, unsaved);
        lock (_gate)
        {
            _buffers.Add(entry);
        }
        return new Untrack(this, entry);
    }

    internal void RecordLag(string stateName, TimeSpan lag) =>
        _lag.Record(lag.TotalSeconds, new KeyValuePair<string, object?>("state", stateName));

    internal void RecordWaited(string stateName) =>
        _waited.Add(1, new KeyValuePair<string, object?>("state", stateName));

    private IEnumerable<Measurement<int>> ObserveUnsaved()
    {
        (string State, Func<int> Unsaved)[] buffers;
        lock (_gate)
        {
            buffers = [.. _buffers];
        }
        return buffers.Select(b => new Measurement<int>(b.Unsaved(), new KeyValuePair<string, object?>("state", b.State)));
    }

    private sealed class Untrack(WriteBehindMeter meter, (string, Func<int>) entry) : IDisposable
    {
        public void Dispose()
        {
            lock (meter._gate)
            {
                meter._buffers.Remove(entry);
            }
        }
    }
}
