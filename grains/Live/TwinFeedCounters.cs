namespace CityOps.Twin.Grains.Live;

/// <summary>
/// What this silo's publisher took in and its feed handed on, in items. On a silo of its own (a drill's) the feed is
/// settled when every item published has been delivered, which <see cref="WhenDeliveredAsync"/> waits for, so a drill
/// notes an alarm at the drill time it happened. The gap is the soak run's feed backlog.
/// </summary>
public sealed class TwinFeedCounters
{
    private readonly Lock _lock = new();
    private readonly List<(long Published, TaskCompletionSource Done)> _waiters = [];
    private long _published;
    private long _delivered;

    public long PublishedItems => Interlocked.Read(ref _published);

    public long DeliveredItems => Interlocked.Read(ref _delivered);

    public void Published(int items) => Interlocked.Add(ref _published, items);

    public void Delivered(int items)
    {
        var delivered = Interlocked.Add(ref _delivered, items);
        List<TaskCompletionSource>? done = null;
        lock (_lock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Published <= delivered)
                {
                    (done ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }
        done?.ForEach(d => d.TrySetResult());
    }

    /// <summary>Completes once everything published so far has been delivered to this silo's feed (one silo only).</summary>
    public Task WhenDeliveredAsync(TimeSpan timeout)
    {
        lock (_lock)
        {
            var published = Interlocked.Read(ref _published);
            if (Interlocked.Read(ref _delivered) >= published)
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((published, done));
            return WaitAsync(done.Task, published, timeout);
        }
    }

    private async Task WaitAsync(Task done, long published, TimeSpan timeout)
    {
        try
        {
            await done.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The live feed delivered {DeliveredItems} of {published} items within {timeout.TotalSeconds:0} s.");
        }
    }
}
