namespace CityOps.Twin.Runtime.Timers;

/// <summary>A grain timer; dispose it to stop it.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Moves the next tick to <paramref name="dueTime"/> from now and sets the period after it.</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}

/// <summary>
/// A timer whose ticks are turns of its activation. The underlying clock timer fires once; the tick is
/// queued as a turn; only when that turn has finished is the clock timer set again for the next period, so
/// ticks never overlap each other or a call.
/// </summary>
internal sealed class GrainTimer : IGrainTimer
{
    private readonly ActivationData _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ITimer _clockTimer;
    private TimeSpan _period;

    private GrainTimer(ActivationData activation, Func<CancellationToken, Task> callback, TimeSpan period)
    {
        _activation = activation;
        _callback = callback;
        _period = period;
        _clockTimer = activation.Runtime.Time.CreateTimer(static s => ((GrainTimer)s!).OnClockTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public static GrainTimer Start(ActivationData activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new GrainTimer(activation, callback, period);
        activation.AddTimer(timer);
        timer._clockTimer.Change(dueTime, Timeout.InfiniteTimeSpan);
        return timer;
    }

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        _period = period;
        if (!_disposed.IsCancellationRequested)
        {
            _clockTimer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        _disposed.Cancel();
        _clockTimer.Dispose();
        _activation.TryEnqueue(new DelegateWorkItem(a =>
        {
            a.RemoveTimer(this);
            return Task.CompletedTask;
        }));
    }

    private void OnClockTick()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        _activation.TryEnqueue(new DelegateWorkItem(_ => RunTickAsync()));
    }

    private async Task RunTickAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await _callback(_disposed.Token).ConfigureAwait(false);
        }
        finally
        {
            if (!_disposed.IsCancellationRequested && _period != Timeout.InfiniteTimeSpan)
            {
                _clockTimer.Change(_period, Timeout.InfiniteTimeSpan);
            }
        }
    }
}
