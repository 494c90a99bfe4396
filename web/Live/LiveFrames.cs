namespace CityOps.Twin.Web.Live;

/// <summary>Something that changes and says so: the feed, for a view's frames.</summary>
public interface ILiveChanges
{
    /// <summary>Raised after every change, on the thread that made it; handlers must only take note.</summary>
    event Action? Changed;
}

/// <summary>
/// Turns the feed's changes into at most one frame per <see cref="Interval"/> for one view. Changes that arrive
/// while a frame is waiting or drawing are folded into the next frame, which reads the latest state: a view that
/// falls behind skips stale frames instead of queueing them (a queue of one frame that drops the older, counted in
/// <see cref="Dropped"/>), and the feed never waits for it.
/// </summary>
public sealed class LiveFrames : IDisposable
{
    /// <summary>Four frames a second: live to the eye, and a busy district costs a browser four renders, not hundreds.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private static readonly System.Diagnostics.Metrics.Meter Meter = new("CityOps.Twin.View");
    private static readonly System.Diagnostics.Metrics.Counter<long> DroppedCounter =
        Meter.CreateCounter<long>("twin.view.frames.dropped", "{frame}", "Changes folded into a frame already waiting: the older frame a slow or stuck browser would have drawn is dropped.");
    private static long _droppedTotal;

    /// <summary>Frames dropped by every view since start (each view's queue holds one waiting frame; a newer change replaces it).</summary>
    public static long DroppedTotal => Interlocked.Read(ref _droppedTotal);

    private long _dropped;

    /// <summary>Frames this view dropped.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private readonly ILiveChanges _feed;
    private readonly Func<Task> _draw;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private bool _pending;
    private bool _drawing;
    private bool _disposed;
    private long _lastFrame;

    public LiveFrames(ILiveChanges feed, TimeProvider time, Func<Task> draw)
    {
        _feed = feed;
        _time = time;
        _draw = draw;
        _feed.Changed += OnChanged;
    }

    private void OnChanged()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            if (_pending)
            {
                // The queue is one frame long: this change replaces the frame already waiting.
                _dropped++;
                Interlocked.Increment(ref _droppedTotal);
                DroppedCounter.Add(1);
                return;
            }
            _pending = true;
            if (_drawing)
            {
                return;
            }
        }
        // Off the thread that raised the change: that is a stream's delivery, which must never wait for a view.
        _ = Task.Run(DrawSoonAsync);
    }

    private async Task DrawSoonAsync()
    {
        var wait = Interval - _time.GetElapsedTime(Interlocked.Read(ref _lastFrame));
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time);
        }
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _pending = false;
            _drawing = true;
        }
        try
        {
            Interlocked.Exchange(ref _lastFrame, _time.GetTimestamp());
            await _draw();
        }
        catch (Exception exception) when (exception is ObjectDisposedException or Microsoft.JSInterop.JSDisconnectedException or TaskCanceledException)
        {
            // The browser left while the frame was on its way.
        }
        finally
        {
            bool again;
            lock (_lock)
            {
                _drawing = false;
                again = _pending && !_disposed;
            }
            if (again)
            {
                _ = DrawSoonAsync();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }
        _feed.Changed -= OnChanged;
    }
}
