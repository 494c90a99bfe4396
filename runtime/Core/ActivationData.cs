using System.Diagnostics;
using CityOps.Twin.Runtime.Persistence;
using CityOps.Twin.Runtime.Timers;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Runtime;

internal enum ActivationStatus
{
    Creating,
    Valid,
    Deactivating,
    Invalid,
}

/// <summary>
/// One live activation of a grain: the grain object, its mailbox and its life cycle. Turns run one at a
/// time in arrival order. When the activation is idle the caller runs the turn on its own thread (there is
/// nothing ahead of it, so order holds and no thread hop is paid); otherwise the call waits in the mailbox
/// with a timeout and a pool thread pumps the mailbox.
/// </summary>
internal sealed class ActivationData
{
    /// <summary>The activation whose grain is being constructed on this thread, so that a grain's constructor can read its key.</summary>
    [ThreadStatic]
    internal static ActivationData? Constructing;

    private readonly object _lock = new();
    private readonly Queue<WorkItem> _mailbox = new();
    private readonly List<GrainTimer> _timers = [];
    private readonly List<IPersistentStateEntry> _states = [];
    private bool _running;
    private bool _deactivationQueued;
    private volatile ActivationStatus _status = ActivationStatus.Creating;

    /// <summary>Time stamp (<see cref="TimeProvider.GetTimestamp"/>) of the last call; read by the idle collector once a sweep.</summary>
    private long _lastActive;

    public ActivationData(GrainId grainId, GrainRuntime runtime, IReadOnlyCollection<WorkItem>? forwarded)
    {
        GrainId = grainId;
        Runtime = runtime;
        _lastActive = runtime.Time.GetTimestamp();
        _mailbox.Enqueue(new ActivateWorkItem());
        if (forwarded is not null)
        {
            foreach (var item in forwarded)
            {
                _mailbox.Enqueue(item);
            }
            runtime.Instruments.QueueDepthChanged(forwarded.Count);
        }
    }

    public GrainId GrainId { get; }

    public GrainRuntime Runtime { get; }

    public Grain? Grain { get; private set; }

    public bool IsInvalid => _status == ActivationStatus.Invalid;

    internal void AddState(IPersistentStateEntry state) => _states.Add(state);

    internal void AddTimer(GrainTimer timer) => _timers.Add(timer);

    internal void RemoveTimer(GrainTimer timer) => _timers.Remove(timer);

    /// <summary>Runs or queues a call. Null when the activation is gone: the caller looks the grain up again.</summary>
    public TTask? TryInvoke<TCall, TTask>(string method, in TCall call)
        where TCall : struct, IGrainCall<TTask>
        where TTask : Task
    {
        WorkItem? queued = null;
        TTask? queuedTask = null;
        bool startPump;
        lock (_lock)
        {
            if (_status == ActivationStatus.Invalid)
            {
                return null;
            }

            _lastActive = Runtime.Time.GetTimestamp();
            if (!_running && _mailbox.Count == 0 && _status == ActivationStatus.Valid)
            {
                _running = true;
                startPump = false;
            }
            else
            {
                (queued, queuedTask) = call.ToWorkItem(this, method);
                startPump = EnqueueLocked(queued);
            }
        }

        if (queued is not null)
        {
            if (startPump)
            {
                SchedulePump();
            }
            return queuedTask;
        }

        var started = Runtime.Instruments.TurnStarted();
        var task = call.Invoke(Grain!);
        if (task.IsCompleted)
        {
            Runtime.Instruments.TurnEnded(started);
            ReleaseTurn();
            return task;
        }

        var (pending, pendingTask) = call.ToWorkItem(this, method);
        ContinueAfterInlineTurn(task, pending, started);
        return pendingTask;
    }

    /// <summary>What the activation is doing, for a log line when the silo cannot stop in time.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            var head = _mailbox.TryPeek(out var next) ? next.GetType().Name : "nothing";
            return $"{GrainId} {_status}, running {_running}, {_mailbox.Count} waiting (next: {head})";
        }
    }

    /// <summary>Nothing running and nothing waiting: read by <see cref="GrainRuntime.WhenIdleAsync"/>.</summary>
    public bool IsQuiet
    {
        get
        {
            lock (_lock)
            {
                return !_running && _mailbox.Count == 0;
            }
        }
    }

    /// <summary>Queues a system turn (timer tick, flush, reminder, deactivation). Returns false if the activation is gone.</summary>
    public bool TryEnqueue(WorkItem item)
    {
        bool startPump;
        lock (_lock)
        {
            if (_status == ActivationStatus.Invalid)
            {
                return false;
            }

            if (item.KeepsAlive)
            {
                _lastActive = Runtime.Time.GetTimestamp();
            }
            startPump = EnqueueLocked(item);
        }

        if (startPump)
        {
            SchedulePump();
        }
        return true;
    }

    /// <summary>Starts the pump of an activation created with forwarded work and no caller to start it.</summary>
    internal void StartPumpIfIdle()
    {
        lock (_lock)
        {
            if (_running)
            {
                return;
            }
            _running = true;
        }
        SchedulePump();
    }

    /// <summary>
    /// True when no call has arrived since <paramref name="cutoff"/>. Work still running or waiting is no reason
    /// to keep it: the deactivation queues behind that work, and a call arriving meanwhile cancels it.
    /// </summary>
    public bool IsIdleSince(long cutoff)
    {
        lock (_lock)
        {
            return _status == ActivationStatus.Valid && !_deactivationQueued && _lastActive <= cutoff;
        }
    }

    /// <summary>Queues the deactivation behind whatever is already waiting. Returns when the activation is gone.</summary>
    public Task DeactivateAsync(DeactivationReason reason)
    {
        DeactivateWorkItem item;
        bool startPump;
        lock (_lock)
        {
            if (_status == ActivationStatus.Invalid || _deactivationQueued)
            {
                return Task.CompletedTask;
            }

            _deactivationQueued = true;
            item = new DeactivateWorkItem(reason, _lastActive);
            startPump = EnqueueLocked(item);
        }

        if (startPump)
        {
            SchedulePump();
        }
        return item.Completion;
    }

    private bool EnqueueLocked(WorkItem item)
    {
        _mailbox.Enqueue(item);
        Runtime.Instruments.QueueDepthChanged(1);
        if (_running)
        {
            return false;
        }
        _running = true;
        return true;
    }

    private void SchedulePump() => ThreadPool.UnsafeQueueUserWorkItem(static activation => activation.Pump(), this, preferLocal: false);

    private void ReleaseTurn()
    {
        lock (_lock)
        {
            if (_mailbox.Count == 0)
            {
                _running = false;
                return;
            }
        }
        SchedulePump();
    }

    private void ContinueAfterInlineTurn(Task turn, WorkItem pending, long started) =>
        turn.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
        {
            pending.Complete(turn);
            Runtime.Instruments.TurnEnded(started);
            Pump();
        });

    /// <summary>Runs waiting turns until the mailbox is empty or a turn goes asynchronous; the caller owns the turn flag.</summary>
    private void Pump()
    {
        while (true)
        {
            WorkItem item;
            lock (_lock)
            {
                if (_mailbox.Count == 0)
                {
                    _running = false;
                    return;
                }
                item = _mailbox.Dequeue();
            }
            if (item.CountsInQueueDepth)
            {
                Runtime.Instruments.QueueDepthChanged(-1);
            }

            if (item.IsAbandoned)
            {
                continue;
            }

            var started = Runtime.Instruments.TurnStarted();
            Task turn;
            try
            {
                turn = item.Start(this);
            }
            catch (Exception exception)
            {
                turn = Task.FromException(exception);
            }

            if (turn.IsCompleted)
            {
                item.Complete(turn);
                Runtime.Instruments.TurnEnded(started);
                continue;
            }

            turn.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
            {
                item.Complete(turn);
                Runtime.Instruments.TurnEnded(started);
                Pump();
            });
            return;
        }
    }

    private async Task ActivateAsync()
    {
        using var span = RuntimeTelemetry.ActivitySource.StartActivity("grain.activate");
        span?.SetTag("grain.id", GrainId.ToString());

        Constructing = this;
        try
        {
            Grain = Runtime.Registry.CreateGrain(this, Runtime.Services);
        }
        finally
        {
            Constructing = null;
        }
        Grain.Activation = this;

        foreach (var state in _states)
        {
            await state.ReadOnActivateAsync().ConfigureAwait(false);
        }

        await Grain.OnActivateAsync(Runtime.StoppingToken).ConfigureAwait(false);
        lock (_lock)
        {
            _status = ActivationStatus.Valid;
        }
        Runtime.Instruments.ActivationCreated();
    }

    private void ActivationFailed(Exception exception)
    {
        Runtime.Logger.LogWarning(exception, "Grain {GrainId} failed to activate", GrainId);
        var waiting = CloseMailbox();
        Runtime.Catalog.Remove(this);
        foreach (var item in waiting)
        {
            item.Fail(exception);
        }
    }

    private async Task DeactivateInTurnAsync(DeactivationReason reason, long lastActiveWhenQueued)
    {
        lock (_lock)
        {
            if (_status != ActivationStatus.Valid)
            {
                return;
            }

            // A call that arrived after the collector chose this activation means it is no longer idle.
            if (reason.ReasonCode == DeactivationReasonCode.IdleCollection && _lastActive != lastActiveWhenQueued)
            {
                _deactivationQueued = false;
                return;
            }
            _status = ActivationStatus.Deactivating;
        }

        foreach (var timer in _timers.ToArray())
        {
            timer.Dispose();
        }

        try
        {
            await Grain!.OnDeactivateAsync(reason, Runtime.StoppingToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Runtime.Logger.LogWarning(exception, "OnDeactivateAsync of grain {GrainId} failed", GrainId);
        }

        foreach (var state in _states)
        {
            try
            {
                await state.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                Runtime.Logger.LogError(exception, "Flushing state {State} of grain {GrainId} on deactivation failed", state.StateName, GrainId);
            }
        }

        var waiting = CloseMailbox();
        Runtime.Instruments.ActivationRemoved();
        Runtime.Catalog.Retire(this, waiting);
    }

    private List<WorkItem> CloseMailbox()
    {
        lock (_lock)
        {
            _status = ActivationStatus.Invalid;
            var dequeued = 0;
            var waiting = new List<WorkItem>(_mailbox.Count);
            while (_mailbox.TryDequeue(out var item))
            {
                dequeued += item.CountsInQueueDepth ? 1 : 0;
                if (!item.IsAbandoned)
                {
                    waiting.Add(item);
                }
            }
            Runtime.Instruments.QueueDepthChanged(-dequeued);
            return waiting;
        }
    }

    private sealed class ActivateWorkItem : SystemWorkItem
    {
        private ActivationData? _activation;

        public override bool CountsInQueueDepth => false;

        public override Task Start(ActivationData activation)
        {
            _activation = activation;
            return activation.ActivateAsync();
        }

        public override void Complete(Task turn)
        {
            if (turn.IsFaulted)
            {
                _activation!.ActivationFailed(turn.Exception!.GetBaseException());
            }
            base.Complete(turn);
        }
    }

    private sealed class DeactivateWorkItem(DeactivationReason reason, long lastActiveWhenQueued) : SystemWorkItem
    {
        public override Task Start(ActivationData activation) => activation.DeactivateInTurnAsync(reason, lastActiveWhenQueued);
    }
}
