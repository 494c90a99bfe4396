using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Runtime.Timers;

/// <summary>
/// Keeps every reminder of the silo: stored in the reminder table first, then scheduled on one clock timer
/// set for the earliest due time. A tick is a call to the grain's <see cref="IRemindable.ReceiveReminder"/>,
/// which activates it if needed. The next due time is stored only after the tick was delivered, so a tick
/// that came due while the silo was down is delivered once when it starts.
/// </summary>
internal sealed class ReminderService : IAsyncDisposable
{
    private readonly IReminderTable _table;
    private readonly GrainRuntime _runtime;
    private readonly Lock _lock = new();
    private readonly Dictionary<(GrainId, string), ReminderEntry> _entries = [];
    private readonly PriorityQueue<ReminderEntry, DateTimeOffset> _schedule = new();
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _deliveries = [];

    public ReminderService(IReminderTable table, GrainRuntime runtime)
    {
        _table = table;
        _runtime = runtime;
        _timer = runtime.Time.CreateTimer(static s => ((ReminderService)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stored = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var entry in stored)
            {
                _entries[(entry.GrainId, entry.ReminderName)] = entry;
                _schedule.Enqueue(entry, entry.NextDue);
            }
        }
        Arm();
    }

    public async Task<IGrainReminder> RegisterOrUpdateAsync(GrainId grainId, string reminderName, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reminderName);
        if (dueTime < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, $"Reminder '{reminderName}' of grain {grainId}: the due time cannot be negative.");
        }
        if (period != Timeout.InfiniteTimeSpan && period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"Reminder '{reminderName}' of grain {grainId}: the period must be positive, or Timeout.InfiniteTimeSpan for a one-shot reminder.");
        }

        var firstDue = _runtime.Time.GetUtcNow() + dueTime;
        var entry = new ReminderEntry(grainId, reminderName, firstDue, period, firstDue);
        await _table.UpsertAsync(entry).ConfigureAwait(false);
        lock (_lock)
        {
            _entries[(grainId, reminderName)] = entry;
            _schedule.Enqueue(entry, entry.NextDue);
        }
        Arm();
        return entry;
    }

    public async Task UnregisterAsync(GrainId grainId, string reminderName)
    {
        await _table.RemoveAsync(grainId, reminderName).ConfigureAwait(false);
        lock (_lock)
        {
            _entries.Remove((grainId, reminderName));
        }
    }

    public IGrainReminder? Get(GrainId grainId, string reminderName)
    {
        lock (_lock)
        {
            return _entries.GetValueOrDefault((grainId, reminderName));
        }
    }

    private bool IsCurrent(ReminderEntry entry) => _entries.TryGetValue((entry.GrainId, entry.ReminderName), out var current) && ReferenceEquals(current, entry);

    private void Arm()
    {
        lock (_lock)
        {
            while (_schedule.TryPeek(out var head, out _) && !IsCurrent(head))
            {
                _schedule.Dequeue();
            }

            if (_stopping.IsCancellationRequested || !_schedule.TryPeek(out var next, out var due))
            {
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            // A timer takes a delay, not a time: if the clock moves between reading it and setting the timer
            // (a drill or test clock jumping ahead while a delivery re-arms from another thread), the timer
            // would land late by the jump. Set it, and set it again until the clock stood still meanwhile.
            while (true)
            {
                var now = _runtime.Time.GetUtcNow();
                var delay = due - now;
                _timer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
                if (_runtime.Time.GetUtcNow() == now)
                {
                    break;
                }
            }
        }
    }

    private void OnTimer()
    {
        var now = _runtime.Time.GetUtcNow();
        var due = new List<ReminderEntry>();
        lock (_lock)
        {
            while (_schedule.TryPeek(out var head, out var at) && at <= now)
            {
                _schedule.Dequeue();
                if (IsCurrent(head))
                {
                    due.Add(head);
                }
            }
        }

        foreach (var entry in due)
        {
            Track(DeliverAsync(entry));
        }
        Arm();
    }

    private async Task DeliverAsync(ReminderEntry entry)
    {
        var status = new TickStatus(entry.StartAt, entry.Period, entry.NextDue);
        try
        {
            await _runtime.InvokeGrainAsync<IRemindable, (string, TickStatus)>(
                entry.GrainId, "IRemindable.ReceiveReminder", (entry.ReminderName, status), static (g, s) => g.ReceiveReminder(s.Item1, s.Item2)).ConfigureAwait(false);
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            _runtime.Logger.LogWarning(exception, "Reminder {Reminder} of grain {GrainId} failed; it is tried again in {Delay}", entry.ReminderName, entry.GrainId, _runtime.Options.ReminderRetryDelay);
            Reschedule(entry, entry with { NextDue = _runtime.Time.GetUtcNow() + _runtime.Options.ReminderRetryDelay }, persist: false);
            return;
        }
        catch (Exception)
        {
            return;
        }

        try
        {
            if (entry.IsOneShot)
            {
                bool current;
                lock (_lock)
                {
                    current = IsCurrent(entry);
                    if (current)
                    {
                        _entries.Remove((entry.GrainId, entry.ReminderName));
                    }
                }
                if (current)
                {
                    await _table.RemoveAsync(entry.GrainId, entry.ReminderName).ConfigureAwait(false);
                }
                return;
            }

            var now = _runtime.Time.GetUtcNow();
            var periods = Math.Floor((now - entry.StartAt) / entry.Period) + 1;
            var next = entry.StartAt + entry.Period * Math.Max(periods, 1);
            Reschedule(entry, entry with { NextDue = next }, persist: true);
        }
        catch (Exception exception)
        {
            _runtime.Logger.LogError(exception, "Storing the next tick of reminder {Reminder} of grain {GrainId} failed", entry.ReminderName, entry.GrainId);
        }
    }

    private void Reschedule(ReminderEntry delivered, ReminderEntry next, bool persist)
    {
        lock (_lock)
        {
            if (!IsCurrent(delivered))
            {
                return;
            }
            _entries[(next.GrainId, next.ReminderName)] = next;
            _schedule.Enqueue(next, next.NextDue);
        }

        Arm();
        if (persist)
        {
            Track(PersistAsync(next));
        }
    }

    // Stored after it is scheduled: if the store fails, a restart delivers the tick again (at least once).
    private async Task PersistAsync(ReminderEntry entry)
    {
        try
        {
            await _table.UpsertAsync(entry).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _runtime.Logger.LogError(exception, "Storing the next tick of reminder {Reminder} of grain {GrainId} failed", entry.ReminderName, entry.GrainId);
        }
    }

    internal bool IsSettled
    {
        get
        {
            lock (_lock)
            {
                return _deliveries.Count == 0;
            }
        }
    }

    /// <summary>Completes when every delivery under way, and the storing of its next tick, has finished.</summary>
    internal Task DeliveriesSettled()
    {
        lock (_lock)
        {
            return Task.WhenAll([.. _deliveries]);
        }
    }

    /// <summary>Keeps a delivery or store in view so that stopping waits for it rather than cutting it off.</summary>
    private void Track(Task task)
    {
        lock (_lock)
        {
            _deliveries.Add(task);
        }
        task.ContinueWith(static (t, s) =>
        {
            var service = (ReminderService)s!;
            lock (service._lock)
            {
                service._deliveries.Remove(t);
            }
        }, this, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _timer.DisposeAsync().ConfigureAwait(false);
        Task[] inFlight;
        lock (_lock)
        {
            inFlight = [.. _deliveries];
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }
}
