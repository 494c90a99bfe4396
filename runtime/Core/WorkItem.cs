namespace CityOps.Twin.Runtime;

/// <summary>One turn waiting in an activation's mailbox: a call, a timer tick, a flush or the activation's own life cycle.</summary>
internal abstract class WorkItem
{
    /// <summary>Starts the turn; the turn lasts until the returned task completes.</summary>
    public abstract Task Start(ActivationData activation);

    /// <summary>Passes the turn's outcome on to whoever waits for it.</summary>
    public abstract void Complete(Task turn);

    /// <summary>The item will never run (its activation failed or the silo stops).</summary>
    public abstract void Fail(Exception exception);

    /// <summary>A caller that gave up (timed out) no longer wants the turn: it is skipped.</summary>
    public virtual bool IsAbandoned => false;

    /// <summary>Calls from grains and clients keep an activation from idle collection; timer ticks and flushes do not.</summary>
    public virtual bool KeepsAlive => true;

    /// <summary>Counted in the queue-depth gauge: everything but an activation's own start, which no one waits behind by choice.</summary>
    public virtual bool CountsInQueueDepth => true;
}

/// <summary>A work item whose outcome is a task without a result.</summary>
internal abstract class SystemWorkItem : WorkItem
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completion => _completion.Task;

    public override bool KeepsAlive => false;

    public override void Complete(Task turn)
    {
        if (turn.IsFaulted)
        {
            _completion.TrySetException(turn.Exception!.InnerExceptions);
        }
        else if (turn.IsCanceled)
        {
            _completion.TrySetCanceled();
        }
        else
        {
            _completion.TrySetResult();
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>A system turn given as a delegate: timer ticks, write-behind snapshots, reminder deliveries.</summary>
internal sealed class DelegateWorkItem(Func<ActivationData, Task> body, bool keepsAlive = false) : SystemWorkItem
{
    public override bool KeepsAlive => keepsAlive;

    public override Task Start(ActivationData activation) => body(activation);
}

/// <summary>
/// A call that could not run at once (it waits in the mailbox) or that went asynchronous: its caller waits on
/// <see cref="Task"/>, which fails with <see cref="TimeoutException"/> if the turn does not end in time.
/// </summary>
internal abstract class CallWorkItem<TResult> : WorkItem
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _timeout;

    public Task<TResult> Task => _completion.Task;

    public override bool IsAbandoned => _completion.Task.IsCompleted;

    public void ArmTimeout(TimeProvider time, TimeSpan timeout, GrainId grain, string method)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        _timeout = time.CreateTimer(
            static state =>
            {
                var (item, grain, method, timeout) = ((CallWorkItem<TResult>, GrainId, string, TimeSpan))state!;
                item._completion.TrySetException(new TimeoutException(
                    $"The call {method} to grain {grain} did not complete within {timeout.TotalSeconds:0.###} s (the grain may be busy, or waiting on a call cycle)."));
            },
            (this, grain, method, timeout),
            timeout,
            Timeout.InfiniteTimeSpan);
    }

    public override void Complete(Task turn)
    {
        _timeout?.Dispose();
        if (turn.IsFaulted)
        {
            _completion.TrySetException(turn.Exception!.InnerExceptions);
        }
        else if (turn.IsCanceled)
        {
            _completion.TrySetCanceled();
        }
        else
        {
            _completion.TrySetResult(ResultOf(turn));
        }
    }

    public override void Fail(Exception exception)
    {
        _timeout?.Dispose();
        _completion.TrySetException(exception);
    }

    protected abstract TResult ResultOf(Task turn);
}

internal sealed class CallWorkItem<TGrain, TState, TResult>(TState state, Func<TGrain, TState, Task<TResult>> call) : CallWorkItem<TResult>
{
    public override Task Start(ActivationData activation) => call((TGrain)(object)activation.Grain!, state);

    protected override TResult ResultOf(Task turn) => ((Task<TResult>)turn).Result;
}

internal sealed class VoidCallWorkItem<TGrain, TState>(TState state, Func<TGrain, TState, Task> call) : CallWorkItem<VoidResult>
{
    public override Task Start(ActivationData activation) => call((TGrain)(object)activation.Grain!, state);

    protected override VoidResult ResultOf(Task turn) => default;
}

/// <summary>The result of a grain method that returns a plain <see cref="Task"/>.</summary>
internal readonly struct VoidResult
{
}
