namespace CityOps.Twin.Silo.History;

/// <summary>
/// How long entries waited from being queued to being committed: a histogram of 1 ms buckets up to a minute (longer
/// waits count in the last), cheap enough to record every entry, read by the health detail and the benchmark.
/// </summary>
public sealed class HistoryWriteLag
{
    private const int Buckets = 60_001;
    private readonly long[] _counts = new long[Buckets];

    public void Record(TimeSpan lag, long entries)
    {
        var bucket = (int)Math.Clamp(lag.TotalMilliseconds, 0, Buckets - 1);
        Interlocked.Add(ref _counts[bucket], entries);
    }

    public long Count => _counts.Sum();

    /// <summary>The lag (upper edge of its 1 ms bucket) that this share of entries waited at most, e.g. 0.99.</summary>
    public TimeSpan Percentile(double share)
    {
        var total = Count;
        if (total == 0)
        {
            return TimeSpan.Zero;
        }
        var target = (long)Math.Ceiling(total * share);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= target)
            {
                return TimeSpan.FromMilliseconds(i + 1);
            }
        }
        return TimeSpan.FromMilliseconds(Buckets);
    }

    public void Reset() => Array.Clear(_counts);
}
