using System.Diagnostics;
using System.Text;
using Orleans.Reminders.Diagnostics;
using Orleans.Runtime;
using Orleans.Runtime.Diagnostics;

namespace CityOps.Twin.Silo.Drills.Engine;

/// <summary>
/// Books every piece of work the drill silo has started and not finished, so the drill clock moves only when the silo
/// is quiescent: no grain turn running or queued, no timer tick or reminder tick on its way. Orleans 10 has no public
/// "idle" signal for a silo (the activations' queues are internal), so the ledger is kept from four sources, each
/// chosen because it sees the work before the work can be missed:
/// <list type="number">
/// <item><b>Grain calls</b> (<see cref="DrillCallTracker"/>): an outgoing call filter books a request from the
/// moment it is sent until its response arrives, which is after the callee's turn ended; anything that turn sent
/// was booked before the turn ended. Every call made in this silo passes it: grain code, timer callbacks, and code
/// outside grains using the drill's <c>IGrainFactory</c>. An incoming call filter books each turn; Orleans runs every
/// request through it, timer ticks (<c>IGrainTimerInvoker</c>) and <c>IRemindable.ReceiveReminder</c> included.</item>
/// <item><b>One-way calls</b> complete for the sender when sent, so the outgoing filter tags them in the
/// <c>RequestContext</c> and they stay booked until the callee's incoming filter sees the tag.</item>
/// <item><b>Grain timer ticks</b>: Orleans turns a due timer into a message queued on the activation, seen by no
/// filter until it runs. The <see cref="DrillClock"/> books a tick when it fires a grain timer's clock timer (the
/// timer's state is the <see cref="IGrainTimer"/>); a timer registered with due time zero is booked from Orleans'
/// <c>GrainTimerEvents.Created</c>. The tick leaves the book at <c>GrainTimerEvents.TickStart</c>, which Orleans raises
/// inside the incoming filters, so the turn is booked before the tick is released; the timer is re-armed inside that
/// turn, before the filter releases it.</item>
/// <item><b>Reminders</b>: each local reminder of the silo runs a loop in Orleans' reminder service, seen through
/// <c>ReminderEvents</c>. A reminder is busy from its start, a schedule change, a fired wait, until the loop has
/// armed its next wait (<c>LocalReminderTickWaitArmed</c>) or stopped. A fired wait is matched to its reminder
/// because the reminder service creates the wait's timer and raises <c>TickWaitArmed</c> on the same thread,
/// one right after the other.</item>
/// </list>
/// Not covered, and so not to be used by drill grains without extending this: streams (events waiting in a queue
/// adapter are in no grain call), <c>IGrainTimer.Change(TimeSpan.Zero, ...)</c> on an existing timer and timers with a
/// zero period (ticks queued with no clock timer and no event), grain work begun outside any call (<c>Task.Run</c>,
/// deactivation on idle, activation collection), Orleans' system targets (their timers fire as drill time passes,
/// unwaited), and clock timers that are neither grain timers nor reminder waits, such as a grain's own
/// <c>Task.Delay</c> on the injected clock or Orleans' retry policies, which read the default clock (they still fire
/// in order, but the work they start is not waited for). Work that is booked and never finishes (a
/// message dropped, a stuck turn) is not missed: the wait times out naming it.
/// </summary>
public sealed class DrillWorkLedger : IDisposable
{
    [ThreadStatic]
    private static (DrillWorkLedger Ledger, DrillClock.DrillTimer Timer)? t_createdWait;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _oneWays = [];
    private readonly Dictionary<IGrainTimer, string> _ticks = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<object, BookedReminder> _reminders = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<DrillClock.DrillTimer, object> _waits = new(ReferenceEqualityComparer.Instance);
    private readonly List<IDisposable> _subscriptions = [];
    private SiloAddress? _silo;
    private long _nextOneWay;
    private int _busyReminders;
    private TaskCompletionSource? _quiescent;

    internal DrillClock? Clock { get; set; }

    /// <summary>Starts hearing Orleans' timer and reminder events of the silo at <paramref name="silo"/> (they are process-wide).</summary>
    internal void Observe(SiloAddress silo)
    {
        _silo = silo;
        _subscriptions.Add(GrainTimerEvents.AllEvents.Subscribe(new Observer<GrainTimerEvents.TimerEvent>(OnTimerEvent)));
        _subscriptions.Add(ReminderEvents.AllEvents.Subscribe(new Observer<ReminderEvents.ReminderEvent>(OnReminderEvent)));
    }

    public bool IsQuiescent
    {
        get
        {
            lock (_lock)
            {
                return Quiet;
            }
        }
    }

    private bool Quiet => _calls.Count == 0 && _oneWays.Count == 0 && _ticks.Count == 0 && _busyReminders == 0;

    /// <summary>
    /// Completes when nothing is booked; throws a <see cref="TimeoutException"/> naming what is still busy when that
    /// does not happen within <paramref name="timeout"/> of real time.
    /// </summary>
    public async Task WhenQuiescentAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            Task quiescent;
            lock (_lock)
            {
                if (Quiet)
                {
                    return;
                }
                _quiescent ??= new(TaskCreationOptions.RunContinuationsAsynchronously);
                quiescent = _quiescent.Task;
            }
            var left = timeout - Stopwatch.GetElapsedTime(started);
            try
            {
                await quiescent.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"The drill silo did not settle within {timeout}; still busy: {Describe()}");
            }
        }
    }

    /// <summary>What is booked now, for a timeout's message.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            var busy = new StringBuilder();
            foreach (var (what, count) in _calls.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                busy.Append(what).Append(" ×").Append(count).Append("; ");
            }
            foreach (var what in _oneWays.Values)
            {
                busy.Append("one-way call not yet delivered: ").Append(what).Append("; ");
            }
            foreach (var what in _ticks.Values)
            {
                busy.Append("timer tick queued: ").Append(what).Append("; ");
            }
            foreach (var reminder in _reminders.Values.Where(r => r.Busy is not null))
            {
                busy.Append("reminder '").Append(reminder.Name).Append("' of ").Append(reminder.Grain).Append(' ').Append(reminder.Busy).Append("; ");
            }
            return busy.Length == 0 ? "nothing" : busy.ToString(0, busy.Length - 2);
        }
    }

    internal void Begin(string what)
    {
        lock (_lock)
        {
            _calls[what] = _calls.GetValueOrDefault(what) + 1;
        }
    }

    internal void End(string what)
    {
        lock (_lock)
        {
            if (_calls[what] == 1)
            {
                _calls.Remove(what);
            }
            else
            {
                _calls[what]--;
            }
            SignalIfQuiet();
        }
    }

    internal long OneWaySent(string what)
    {
        lock (_lock)
        {
            var id = ++_nextOneWay;
            _oneWays.Add(id, what);
            return id;
        }
    }

    /// <summary>A one-way call's turn has begun (it is booked as a turn now), or its sending failed.</summary>
    internal void OneWayArrived(long id)
    {
        lock (_lock)
        {
            _oneWays.Remove(id);
            SignalIfQuiet();
        }
    }

    internal void OnGrainTimerFired(IGrainTimer timer)
    {
        lock (_lock)
        {
            _ticks[timer] = timer.ToString() ?? "grain timer";
        }
    }

    internal void OnReminderWaitCreated(DrillClock.DrillTimer timer) => t_createdWait = (this, timer);

    internal void OnReminderWaitFired(DrillClock.DrillTimer timer)
    {
        lock (_lock)
        {
            if (_waits.Remove(timer, out var identity) && _reminders.TryGetValue(identity, out var reminder) && reminder.Busy is null)
            {
                MarkBusy(reminder, "woken by its wait");
            }
        }
    }

    internal void OnReminderWaitDisposed(DrillClock.DrillTimer timer)
    {
        lock (_lock)
        {
            _waits.Remove(timer);
        }
    }

    private void OnTimerEvent(GrainTimerEvents.TimerEvent timerEvent)
    {
        switch (timerEvent)
        {
            case GrainTimerEvents.Created { GrainContext: SystemTarget } system when Equals(system.GrainContext.Address.SiloAddress, _silo):
                Clock?.MarkSystemTimer(system.Timer);
                break;
            case GrainTimerEvents.Created { DueTime.Ticks: 0 } created when Equals(created.GrainContext.Address.SiloAddress, _silo):
                lock (_lock)
                {
                    _ticks[created.Timer] = created.Timer.ToString() ?? "grain timer";
                }
                break;
            case GrainTimerEvents.TickStart start:
                lock (_lock)
                {
                    if (_ticks.Remove(start.Timer))
                    {
                        SignalIfQuiet();
                    }
                }
                break;
        }
    }

    private void OnReminderEvent(ReminderEvents.ReminderEvent reminderEvent)
    {
        if (!Equals(reminderEvent.SiloAddress, _silo))
        {
            return;
        }
        lock (_lock)
        {
            switch (reminderEvent)
            {
                case ReminderEvents.LocalReminderStarted started:
                    MarkBusy(Book(started.Identity, started), "starting");
                    break;
                case ReminderEvents.LocalReminderScheduleChanged changed:
                    MarkBusy(Book(changed.Identity, changed), "rescheduling");
                    break;
                case ReminderEvents.LocalReminderTickWaitArmed armed:
                    var reminder = Book(armed.Identity, armed);
                    if (t_createdWait is { } created && created.Ledger == this)
                    {
                        _waits[created.Timer] = armed.Identity;
                        t_createdWait = null;
                    }
                    MarkArmed(reminder);
                    break;
                case ReminderEvents.TickFiring firing:
                    MarkBusyByName(firing, "delivering its tick");
                    break;
                case ReminderEvents.TickCompleted or ReminderEvents.TickFailed:
                    MarkBusyByName(reminderEvent, "arming its next wait");
                    break;
                case ReminderEvents.LocalReminderStopped stopped:
                    if (_reminders.Remove(stopped.Identity, out var gone) && gone.Busy is not null)
                    {
                        _busyReminders--;
                    }
                    break;
            }
            SignalIfQuiet();
        }
    }

    private BookedReminder Book(object identity, ReminderEvents.ReminderEvent reminderEvent)
    {
        if (!_reminders.TryGetValue(identity, out var reminder))
        {
            // Booked as busy: a reminder is quiet only once its wait is armed.
            reminder = new BookedReminder(reminderEvent.GrainId, reminderEvent.ReminderName) { Busy = "starting" };
            _reminders.Add(identity, reminder);
            _busyReminders++;
        }
        return reminder;
    }

    /// <summary>Tick events carry no identity; a silo holds one local reminder per grain and name.</summary>
    private void MarkBusyByName(ReminderEvents.ReminderEvent reminderEvent, string why)
    {
        foreach (var reminder in _reminders.Values)
        {
            if (reminder.Grain == reminderEvent.GrainId && reminder.Name == reminderEvent.ReminderName)
            {
                MarkBusy(reminder, why);
            }
        }
    }

    private void MarkBusy(BookedReminder reminder, string why)
    {
        if (reminder.Busy is null)
        {
            _busyReminders++;
        }
        reminder.Busy = why;
    }

    private void MarkArmed(BookedReminder reminder)
    {
        if (reminder.Busy is not null)
        {
            _busyReminders--;
        }
        reminder.Busy = null;
    }

    private void SignalIfQuiet()
    {
        if (Quiet && _quiescent is { } quiescent)
        {
            _quiescent = null;
            quiescent.TrySetResult();
        }
    }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
        _subscriptions.Clear();
    }

    private sealed class BookedReminder(GrainId grain, string name)
    {
        public GrainId Grain { get; } = grain;

        public string Name { get; } = name;

        /// <summary>Why the reminder is busy, or null while its next wait is armed.</summary>
        public string? Busy { get; set; }
    }

    private sealed class Observer<T>(Action<T> onNext) : IObserver<T>
    {
        public void OnNext(T value) => onNext(value);

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
