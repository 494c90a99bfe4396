using System.Runtime.CompilerServices;
using Orleans.Runtime;

namespace CityOps.Twin.Silo.Drills.Engine;

/// <summary>
/// The drill silo's clock: a <see cref="TimeProvider"/> whose time moves only when the <see cref="DrillClockDriver"/>
/// moves it, with its own queue of timers in due order, so the driver can move time to the next due moment only and
/// every timer fires at its own moment, in order. It tells the <see cref="DrillWorkLedger"/> about every grain timer
/// and reminder wait it fires, before Orleans' own callback runs, so work a fire starts is on the books before it can
/// be missed. Grain timers, grain code and the reminder service read it; Orleans' maintenance does not (see
/// <see cref="DrillSiloHost"/>).
/// </summary>
/// <remarks>
/// It is not a <c>FakeTimeProvider</c>: that keeps each timer's wake-up moment apart from what a wrapper could read,
/// scans every timer for each one it fires, and leaves timers unfired for good when a second thread creates a timer
/// while the first is firing (its gate is taken, and time that moved meanwhile puts the timer's wake-up past the
/// moment it was asked for). A drill of 1,540 sensors hung on that; here the due moment the driver reads is the one
/// the timer fires at, and firing is one thread at a time.
/// </remarks>
public sealed class DrillClock : TimeProvider
{
    [ThreadStatic]
    private static bool t_firingReminderWait;

    private readonly Lock _lock = new();
    private readonly Lock _firing = new();
    private readonly SortedSet<DrillTimer> _queue = new(DueOrder.Instance);
    private readonly ConditionalWeakTable<IGrainTimer, object> _systemTimers = [];
    private DateTimeOffset _now;
    private long _sequence;
    private int _fireQueued;
    private DrillWorkLedger? _ledger;

    public DrillClock(DateTimeOffset start)
    {
        _now = start;
        Reminders = new ReminderClock(this);
    }

    /// <summary>
    /// The same clock as seen by Orleans' reminder service (registered under
    /// <c>ReminderTimeProviderNames.Reminders</c>): the waits it creates are marked, so that a fired wait can be
    /// told apart from other timers and matched to its reminder.
    /// </summary>
    public TimeProvider Reminders { get; }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>The number of timers armed now (for a stuck drill's message).</summary>
    public int ArmedTimers
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>The earliest moment a timer of the drill's city (not Orleans' own) is armed for, or null when none is.</summary>
    public DateTimeOffset? NextDueTime
    {
        get
        {
            lock (_lock)
            {
                foreach (var timer in _queue)
                {
                    if (!IsSystemTimer(timer))
                    {
                        return timer.DueAt;
                    }
                }
                return null;
            }
        }
    }

    /// <summary>
    /// Moves time to <paramref name="value"/>, firing every timer due by then in due order (timers due together in
    /// the order they were armed), with the clock standing at each one's due moment while it fires. A timer armed by
    /// a callback for a moment up to <paramref name="value"/> fires in the same move. A callback that throws does not
    /// stop the others; the first exception is thrown once time stands at <paramref name="value"/>.
    /// </summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        List<Exception>? failures = null;
        lock (_firing)
        {
            lock (_lock)
            {
                if (value < _now)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), value, $"The drill clock cannot go back from {_now:O}.");
                }
            }
            FireDue(value, ref failures);
            lock (_lock)
            {
                _now = value;
            }
        }
        if (failures is not null)
        {
            throw new AggregateException("A drill timer's callback failed.", failures);
        }
    }

    internal void Attach(DrillWorkLedger ledger)
    {
        _ledger = ledger;
        ledger.Clock = this;
    }

    /// <summary>
    /// Orleans' system targets (the load publisher ticks every second) register grain timers on the grains' clock
    /// too. Their timers still fire as drill time passes, but do not set the drill's steps: a day would otherwise
    /// take 86,400 steps, each waiting for work that is not the city's.
    /// </summary>
    internal void MarkSystemTimer(IGrainTimer timer) => _systemTimers.AddOrUpdate(timer, timer);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Create(callback, state, dueTime, period, state is IGrainTimer ? DrillTimerKind.GrainTimer : DrillTimerKind.Other);

    /// <summary>Known only after the clock timer exists: Orleans creates it before it announces the grain timer.</summary>
    private bool IsSystemTimer(DrillTimer timer) =>
        timer.Kind == DrillTimerKind.GrainTimer && _systemTimers.TryGetValue((IGrainTimer)timer.State!, out _);

    private DrillTimer Create(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period, DrillTimerKind kind)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new DrillTimer(this, callback, state, kind);
        if (kind == DrillTimerKind.ReminderWait)
        {
            _ledger?.OnReminderWaitCreated(timer);
        }
        Schedule(timer, dueTime, period);
        return timer;
    }

    private void Schedule(DrillTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        bool dueNow;
        lock (_lock)
        {
            if (timer.Disposed)
            {
                return;
            }
            _queue.Remove(timer);
            timer.Period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? null : period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                timer.DueAt = null;
                return;
            }
            timer.DueAt = _now + (dueTime > TimeSpan.Zero ? dueTime : TimeSpan.Zero);
            timer.Sequence = ++_sequence;
            _queue.Add(timer);
            dueNow = timer.DueAt <= _now;
        }
        if (dueNow)
        {
            // Due at once, as a real timer would be: fired on the thread pool, never inside the caller's own call.
            FireDueNowSoon();
        }
    }

    private void FireDueNowSoon()
    {
        if (Interlocked.Exchange(ref _fireQueued, 1) == 1)
        {
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static clock =>
        {
            Volatile.Write(ref clock._fireQueued, 0);
            List<Exception>? failures = null;
            lock (clock._firing)
            {
                clock.FireDue(clock.GetUtcNow(), ref failures);
            }
            if (failures is not null)
            {
                // Nobody awaits this firing; a failing callback is the drill silo's own fault and surfaces in its logs.
                global::System.Diagnostics.Trace.TraceError($"A drill timer's callback failed: {failures[0]}");
            }
        }, this, preferLocal: false);
    }

    /// <summary>Fires, in due order, every timer due at or before <paramref name="until"/>. Called holding the firing lock.</summary>
    private void FireDue(DateTimeOffset until, ref List<Exception>? failures)
    {
        while (true)
        {
            DrillTimer timer;
            lock (_lock)
            {
                if (_queue.Min is not { } first || first.DueAt > until)
                {
                    return;
                }
                timer = first;
                _queue.Remove(timer);
                if (timer.DueAt > _now)
                {
                    _now = timer.DueAt.Value;
                }
                if (timer.Period is { } period)
                {
                    timer.DueAt += period;
                    timer.Sequence = ++_sequence;
                    _queue.Add(timer);
                }
                else
                {
                    timer.DueAt = null;
                }
            }
            try
            {
                Fire(timer);
            }
            catch (Exception exception)
            {
                (failures ??= []).Add(exception);
            }
        }
    }

    private void Fire(DrillTimer timer)
    {
        switch (timer.Kind)
        {
            case DrillTimerKind.GrainTimer when !IsSystemTimer(timer):
                _ledger?.OnGrainTimerFired((IGrainTimer)timer.State!);
                break;
            case DrillTimerKind.ReminderWait:
                _ledger?.OnReminderWaitFired(timer);
                break;
        }
        if (timer.Kind != DrillTimerKind.ReminderWait)
        {
            timer.Callback(timer.State);
            return;
        }
        t_firingReminderWait = true;
        try
        {
            timer.Callback(timer.State);
        }
        finally
        {
            t_firingReminderWait = false;
        }
    }

    private void Dispose(DrillTimer timer)
    {
        lock (_lock)
        {
            timer.Disposed = true;
            _queue.Remove(timer);
            timer.DueAt = null;
        }
        if (timer.Kind == DrillTimerKind.ReminderWait)
        {
            _ledger?.OnReminderWaitDisposed(timer);
        }
    }

    internal enum DrillTimerKind
    {
        Other,
        GrainTimer,
        ReminderWait,
    }

    /// <summary>One timer of the clock; its due moment and place in the queue change under the clock's lock only.</summary>
    internal sealed class DrillTimer(DrillClock clock, TimerCallback callback, object? state, DrillTimerKind kind) : ITimer
    {
        public DrillTimerKind Kind { get; } = kind;

        public object? State { get; } = state;

        public TimerCallback Callback { get; } = callback;

        /// <summary>When it fires next, or null when it is not armed.</summary>
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan? Period { get; set; }

        /// <summary>Orders timers due at the same moment by when they were armed.</summary>
        public long Sequence { get; set; }

        public bool Disposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Schedule(this, dueTime, period);
            return !Disposed;
        }

        public void Dispose() => clock.Dispose(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class DueOrder : IComparer<DrillTimer>
    {
        public static readonly DueOrder Instance = new();

        public int Compare(DrillTimer? x, DrillTimer? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }
            var byDue = Nullable.Compare(x!.DueAt, y!.DueAt);
            return byDue != 0 ? byDue : x.Sequence.CompareTo(y.Sequence);
        }
    }

    /// <summary>
    /// The clock for the reminder service: the same time, waits marked as reminder waits. Orleans waits for a due
    /// moment (a reminder's tick, the reminder list's refresh, which starts at a random offset) in a loop of
    /// <c>Task.Delay</c>s, and those count whole milliseconds: the wait's timer fires up to a millisecond short of the
    /// moment, the loop then asks for a delay under a millisecond, gets one that is already complete, and would spin
    /// forever on a clock that moves only when the driver moves it. While a reminder wait's timer fires, the loop runs
    /// on in that callback, and this clock shows it the time a millisecond less one tick later, which is never past
    /// the moment it waits for.
    /// </summary>
    private sealed class ReminderClock(DrillClock clock) : TimeProvider
    {
        private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(1) - TimeSpan.FromTicks(1);

        public override DateTimeOffset GetUtcNow() => t_firingReminderWait ? clock.GetUtcNow() + Slack : clock.GetUtcNow();

        public override long GetTimestamp() => t_firingReminderWait ? clock.GetTimestamp() + Slack.Ticks : clock.GetTimestamp();

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            clock.Create(callback, state, dueTime, period, DrillTimerKind.ReminderWait);
    }
}
