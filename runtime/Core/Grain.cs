using CityOps.Twin.Runtime.Streams;
using CityOps.Twin.Runtime.Timers;

namespace CityOps.Twin.Runtime;

/// <summary>
/// The base class of every grain. Its state is plain fields (or <see cref="IPersistentState{TState}"/>
/// constructor parameters); the runtime runs its methods one turn at a time, so a grain needs no locks.
/// </summary>
public abstract class Grain
{
    internal ActivationData? Activation;

    protected Grain()
    {
        Activation = ActivationData.Constructing;
    }

    private ActivationData Context => Activation
        ?? throw new InvalidOperationException($"{GetType().Name} was not created by the grain runtime; grains are activated through IGrainFactory.GetGrain.");

    public GrainId GrainId => Context.GrainId;

    public string GetPrimaryKeyString() => Context.GrainId.Key;

    protected IGrainFactory GrainFactory => Context.Runtime;

    /// <summary>The silo's clock: the system clock in production, a manual or drill clock in tests and drills.</summary>
    protected TimeProvider TimeProvider => Context.Runtime.Time;

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation once the current turn and those already waiting have run.</summary>
    protected void DeactivateOnIdle() =>
        _ = Context.DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle"));

    /// <summary>
    /// A timer whose ticks are turns of this activation: a tick never overlaps a call or another tick, and the
    /// next period starts when the tick's task completes. Timers end with the activation and do not keep it alive.
    /// </summary>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        GrainTimer.Start(Context, callback, dueTime, period);

    /// <summary>
    /// A durable reminder: stored before this returns, it re-activates the grain when due, also after a restart
    /// of the silo. The grain must implement <see cref="IRemindable"/>. A period of <see cref="Timeout.InfiniteTimeSpan"/>
    /// makes a one-shot reminder, removed once delivered.
    /// </summary>
    protected Task<IGrainReminder> RegisterOrUpdateReminder(string reminderName, TimeSpan dueTime, TimeSpan period)
    {
        if (this is not IRemindable)
        {
            throw new InvalidOperationException($"{GetType().Name} registers reminder '{reminderName}' but does not implement IRemindable.");
        }
        return Context.Runtime.Reminders.RegisterOrUpdateAsync(Context.GrainId, reminderName, dueTime, period);
    }

    protected Task UnregisterReminder(IGrainReminder reminder) => Context.Runtime.Reminders.UnregisterAsync(Context.GrainId, reminder.ReminderName);

    protected Task<IGrainReminder?> GetReminder(string reminderName) => Task.FromResult(Context.Runtime.Reminders.Get(Context.GrainId, reminderName));

    protected IStreamProvider GetStreamProvider(string name) => Context.Runtime.GetStreamProvider(name);
}
