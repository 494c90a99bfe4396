using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;

namespace CityOps.Twin.Silo.Drills.Engine;

/// <summary>
/// The drill silo's clock: a <see cref="FakeTimeProvider"/> that also knows when each of its timers is next due, so
/// the driver can move time to the next due moment only (FakeTimeProvider alone moves straight to the target and
/// fires every timer on the way with the clock already at the target). It tells the <see cref="DrillWorkLedger"/>
/// about every grain timer and reminder wait it fires, before Orleans' own callback runs, so work a fire starts is on
/// the books before it can be missed. Grain timers, grain code and the reminder service read it; Orleans'
/// maintenance does not (see <see cref="DrillSiloHost"/>).
/// </summary>
public sealed class DrillClock : FakeTimeProvider
{
    [ThreadStatic]
    private static bool t_firingReminderWait;

    private readonly Lock _lock = new();
    private readonly HashSet<DrillTimer> _timers = [];
    private readonly ConditionalWeakTable<IGrainTimer, object> _systemTimers = [];
    private DrillWorkLedger? _ledger;

    public DrillClock(DateTimeOffset start)
        : base(start)
    {
        Reminders = new ReminderClock(this);
    }

    /// <summary>
    /// The same clock as seen by Orleans' reminder service (registered under
    /// <c>ReminderTimeProviderNames.Reminders</c>): the waits it creates are marked, so that a fired wait can be
    /// told apart from other timers and matched to its reminder.
    /// </summary>
    public TimeProvider Reminders { get; }

    /// <summary>The earliest moment a timer of this clock is armed for, or null when none is armed.</summary>
    public DateTimeOffset? NextDueTime
    {
        get
        {
            lock (_lock)
            {
                DateTimeOffset? next = null;
                foreach (var timer in _timers)
                {
                    if (timer.DueAt is { } due && (next is null || due < next) && !IsSystemTimer(timer))
                    {
                        next = due;
                    }
                }
                return next;
            }
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
        var timer = new DrillTimer(this, callback, state, kind);
        if (kind == DrillTimerKind.ReminderWait)
        {
            _ledger?.OnReminderWaitCreated(timer);
        }
        var now = GetUtcNow();
        lock (_lock)
        {
            _timers.Add(timer);
            timer.Schedule(now, dueTime, period);
        }
        timer.Inner = base.CreateTimer(static s => ((DrillTimer)s!).Fire(), timer, dueTime, period);
        return timer;
    }

    private void Fired(DrillTimer timer)
    {
        var now = GetUtcNow();
        lock (_lock)
        {
            timer.Rearm(now);
        }
        switch (timer.Kind)
        {
            case DrillTimerKind.GrainTimer when !IsSystemTimer(timer):
                _ledger?.OnGrainTimerFired((IGrainTimer)timer.State!);
                break;
            case DrillTimerKind.ReminderWait:
                _ledger?.OnReminderWaitFired(timer);
                break;
        }
    }

    private void Changed(DrillTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        var now = GetUtcNow();
        lock (_lock)
        {
            timer.Schedule(now, dueTime, period);
        }
    }

    private void Disposed(DrillTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
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

    /// <summary>One timer of the clock: FakeTimeProvider's timer inside, with its due moment kept where the driver can read it.</summary>
    internal sealed class DrillTimer(DrillClock clock, TimerCallback callback, object? state, DrillTimerKind kind) : ITimer
    {
        public ITimer? Inner { get; set; }

        public DrillTimerKind Kind { get; } = kind;

        public object? State { get; } = state;

        /// <summary>Read and written under the clock's lock.</summary>
        public DateTimeOffset? DueAt { get; private set; }

        private TimeSpan? _period;

        public void Schedule(DateTimeOffset now, TimeSpan dueTime, TimeSpan period)
        {
            DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : now + dueTime;
            _period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
        }

        public void Rearm(DateTimeOffset now) => DueAt = _period is { } period ? now + period : null;

        public void Fire()
        {
            clock.Fired(this);
            if (Kind != DrillTimerKind.ReminderWait)
            {
                callback(State);
                return;
            }
            t_firingReminderWait = true;
            try
            {
                callback(State);
            }
            finally
            {
                t_firingReminderWait = false;
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Changed(this, dueTime, period);
            return Inner!.Change(dueTime, period);
        }

        public void Dispose()
        {
            clock.Disposed(this);
            Inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
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
