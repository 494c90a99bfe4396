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

/// <summary>A call that could not run at once: it waits in the mailbox with a timeout.</summary>
internal abstract class CallWorkItem<TCompletion> : WorkItem where TCompletion : class
{
    private ITimer? _timeout;

    protected abstract bool TrySetException(Exception exception);

    protected abstract bool IsCompleted { get; }

    public override bool IsAbandoned => IsCompleted;

    public void ArmTimeout(TimeProvider time, TimeSpan timeout, GrainId grain, string method)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        _timeout = time.CreateTimer(
            static state =>
            {
                var (item, grain, method, timeout) = ((CallWorkItem<TCompletion>, GrainId, string, TimeSpan))state!;
                item.TrySetException(new TimeoutException(
                    $"The call {method} to grain {grain} did not complete within {timeout.TotalSeconds:0.###} s (the grain may be busy, or waiting on a call cycle)."));
            },
            (this, grain, method, timeout),
            timeout,
            Timeout.InfiniteTimeSpan);
    }

    protected void DisarmTimeout() => _timeout?.Dispose();

    public override void Fail(Exception exception)
    {
        TrySetException(exception);
        DisarmTimeout();
    }
}

internal sealed class CallWorkItem<TGrain, TState, TResult>(TState state, Func<TGrain, TState, Task<TResult>> call)
    : CallWorkItem<TaskCompletionSource<TResult>>
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Task => _completion.Task;

    protected override bool IsCompleted => _completion.Task.IsCompleted;

    protected override bool TrySetException(Exception exception) => _completion.TrySetException(exception);

    public override Task Start(ActivationData activation) => call((TGrain)(object)activation.Grain!, state);

    public override void Complete(Task turn)
    {
        DisarmTimeout();
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
            _completion.TrySetResult(((Task<TResult>)turn).Result);
        }
    }
}

internal sealed class CallWorkItem<TGrain, TState>(TState state, Func<TGrain, TState, Task> call)
    : CallWorkItem<TaskCompletionSource>
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _completion.Task;

    protected override bool IsCompleted => _completion.Task.IsCompleted;

    protected override bool TrySetException(Exception exception) => _completion.TrySetException(exception);

    public override Task Start(ActivationData activation) => call((TGrain)(object)activation.Grain!, state);

    public override void Complete(Task turn)
    {
        DisarmTimeout();
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
}
