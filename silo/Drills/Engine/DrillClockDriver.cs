namespace CityOps.Twin.Silo.Drills.Engine;

/// <summary>
/// Moves a drill silo's clock: to the next due timer or reminder wait, then waits until the silo is quiescent, then
/// on, so every tick and all the work it causes happen at the tick's own drill time, in time order, and a timer set
/// by that work is fired in its turn. Full speed goes as fast as quiescence allows; paced mode lets drill time follow
/// real time times a speed.
/// </summary>
public sealed class DrillClockDriver
{
    /// <summary>The fastest pace: 600 simulated seconds per real second, as the drill page offers (DrillRun.MaxSpeed).</summary>
    public const double MaxSpeed = 600;

    /// <summary>
    /// In paced mode, the real time between two looks at the wall clock when no timer is due sooner: short enough for
    /// the drill page to see drill time move smoothly (30 s of drill time at 600x), long enough to cost nothing.
    /// </summary>
    public static readonly TimeSpan PacingInterval = TimeSpan.FromMilliseconds(50);

    private readonly DrillClock _clock;
    private readonly DrillWorkLedger _ledger;
    private readonly TimeSpan _quiescenceTimeout;
    private readonly TimeProvider _realTime;
    private readonly Lock _lock = new();
    private readonly List<(DateTimeOffset At, TaskCompletionSource Reached)> _watchers = [];

    public DrillClockDriver(DrillClock clock, DrillWorkLedger ledger, TimeSpan quiescenceTimeout, TimeProvider? realTime = null)
    {
        _clock = clock;
        _ledger = ledger;
        _quiescenceTimeout = quiescenceTimeout;
        _realTime = realTime ?? TimeProvider.System;
    }

    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>
    /// What else must be settled after the silo is quiescent before the clock moves on (the live feed's deliveries,
    /// which leave a grain as one-way calls the ledger does not wait for); quiescence is awaited again after it.
    /// </summary>
    public Func<CancellationToken, Task>? AlsoSettle { get; set; }

    /// <summary>Waits until the silo is quiescent and <see cref="AlsoSettle"/> is done, and quiescent again after it.</summary>
    public async Task SettleAsync(CancellationToken cancellationToken = default)
    {
        await WhenQuiescentAsync(cancellationToken).ConfigureAwait(false);
        if (AlsoSettle is { } also)
        {
            await also(cancellationToken).ConfigureAwait(false);
            await WhenQuiescentAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The resolution of drill time: timers due within a tick of each other fire together (zero: each due moment
    /// alone). A drill's report counts in minutes; its city's throttles run in milliseconds.
    /// </summary>
    public TimeSpan Tick { get; set; }

    /// <summary>Waits until the drill silo is quiescent (see <see cref="DrillWorkLedger"/>).</summary>
    public Task WhenQuiescentAsync(CancellationToken cancellationToken = default) =>
        _ledger.WhenQuiescentAsync(_quiescenceTimeout, cancellationToken);

    /// <summary>Completes once the drill clock stands at or past <paramref name="at"/> and the silo has settled there.</summary>
    public Task WhenReachedAsync(DateTimeOffset at)
    {
        lock (_lock)
        {
            if (_clock.GetUtcNow() >= at)
            {
                return Task.CompletedTask;
            }
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _watchers.Add((at, reached));
            return reached.Task;
        }
    }

    /// <summary>Full speed: moves the clock to <paramref name="target"/> one due moment at a time, settling after each.</summary>
    public async Task AdvanceToAsync(DateTimeOffset target, CancellationToken cancellationToken = default)
    {
        await SettleAsync(cancellationToken).ConfigureAwait(false);
        while (_clock.NextDueTime is { } due && due <= target)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Timers due at the same moment fire together; one armed in the past fires at once.
            var step = due > _clock.GetUtcNow() ? due : _clock.GetUtcNow();
            // Timers due within one tick of drill time fire together: a city's grids pass their changes up 5-50 ms
            // apart, and settling the silo after each of those moments alone made a drill's day take an hour.
            if (Tick > TimeSpan.Zero)
            {
                var end = step + Tick;
                step = end < target ? end : target;
            }
            _clock.SetUtcNow(step);
            await SettleAsync(cancellationToken).ConfigureAwait(false);
            Notify();
        }
        if (_clock.GetUtcNow() < target)
        {
            _clock.SetUtcNow(target);
        }
        Notify();
    }

    /// <summary>
    /// Runs the clock to <paramref name="target"/> at <paramref name="speed"/> simulated seconds per real second (1 to
    /// <see cref="MaxSpeed"/>), or at full speed when it is 0. Drill time never runs ahead of real time × speed; when
    /// settling takes longer than the pace allows it falls behind, and catches up as fast as quiescence allows.
    /// </summary>
    public async Task RunAsync(DateTimeOffset target, double speed, CancellationToken cancellationToken = default)
    {
        if (speed == 0)
        {
            await AdvanceToAsync(target, cancellationToken).ConfigureAwait(false);
            return;
        }
        speed = Math.Clamp(speed, 1, MaxSpeed);
        var realStart = _realTime.GetTimestamp();
        var drillStart = _clock.GetUtcNow();
        while (true)
        {
            var allowed = drillStart + _realTime.GetElapsedTime(realStart) * speed;
            await AdvanceToAsync(allowed < target ? allowed : target, cancellationToken).ConfigureAwait(false);
            if (allowed >= target)
            {
                return;
            }
            var wait = PacingInterval;
            if (_clock.NextDueTime is { } due && (due - _clock.GetUtcNow()) / speed < wait)
            {
                wait = (due - _clock.GetUtcNow()) / speed;
            }
            await Task.Delay(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1), _realTime, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Notify()
    {
        var now = _clock.GetUtcNow();
        List<TaskCompletionSource> reached = [];
        lock (_lock)
        {
            for (var i = _watchers.Count - 1; i >= 0; i--)
            {
                if (_watchers[i].At <= now)
                {
                    reached.Add(_watchers[i].Reached);
                    _watchers.RemoveAt(i);
                }
            }
        }
        foreach (var watcher in reached)
        {
            watcher.TrySetResult();
        }
    }
}
