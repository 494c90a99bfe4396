namespace CityOps.Twin.Runtime;

/// <summary>
/// A clock that moves only when told. <see cref="Advance"/> fires every timer that comes due on the way, in
/// due order, at its due time, so a test can cross thirty seconds of timeouts or a week of deadlines at once
/// without sleeping. Timer callbacks run on the thread that advances the clock.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Timers that are armed and not yet due.</summary>
    public int PendingTimerCount
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    public void Advance(TimeSpan delta)
    {
        var target = Target(delta);
        while (FireNext(target))
        {
        }
    }

    /// <summary>
    /// Moves the clock like <see cref="Advance"/>, but after every timer it fires waits for
    /// <paramref name="settle"/> (a silo's <c>WhenIdleAsync</c>): the work a tick starts then runs at the tick's
    /// time, instead of racing a clock that has already moved on, and timers it sets are fired in turn.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan delta, Func<Task> settle)
    {
        var target = Target(delta);
        await settle().ConfigureAwait(false);
        while (FireNext(target))
        {
            await settle().ConfigureAwait(false);
        }
    }

    private DateTimeOffset Target(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_lock)
        {
            return _now + delta;
        }
    }

    /// <summary>Fires the earliest timer due by <paramref name="target"/>; false (with the clock at the target) when none is.</summary>
    private bool FireNext(DateTimeOffset target)
    {
        ManualTimer? next;
        lock (_lock)
        {
            next = _timers.Where(t => t.DueAt <= target).MinBy(t => t.DueAt!.Value);
            if (next is null)
            {
                _now = target;
                return false;
            }
            if (next.DueAt > _now)
            {
                _now = next.DueAt!.Value;
            }
            next.DueAt = next.Period is { } period ? _now + period : null;
        }
        next.Fire();
        return true;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        lock (_lock)
        {
            _timers.Add(timer);
        }
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan? Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._lock)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
            }
            return true;
        }

        public void Dispose()
        {
            lock (clock._lock)
            {
                DueAt = null;
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
