namespace CityOps.Twin.Runtime.Streams;

/// <summary>
/// Counts stream items accepted and not yet delivered, across the silo, and says when there are none: a
/// test or a drill stepping a clock waits on that instead of sleeping. An item that causes another (a grid
/// that republishes) is counted until its delivery ends, by which time the new one is counted too.
/// </summary>
internal sealed class StreamActivity
{
    private readonly Lock _lock = new();
    private long _pending;
    private TaskCompletionSource? _idle;

    public void Started()
    {
        lock (_lock)
        {
            _pending++;
        }
    }

    public void Finished(long count = 1)
    {
        TaskCompletionSource? idle = null;
        lock (_lock)
        {
            _pending -= count;
            if (_pending == 0)
            {
                idle = _idle;
                _idle = null;
            }
        }
        idle?.TrySetResult();
    }

    public bool IsIdle
    {
        get
        {
            lock (_lock)
            {
                return _pending == 0;
            }
        }
    }

    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            if (_pending == 0)
            {
                return Task.CompletedTask;
            }
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }
}
