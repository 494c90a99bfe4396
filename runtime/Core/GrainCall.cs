namespace CityOps.Twin.Runtime;

/// <summary>
/// One grain call, as a struct so that the call path is written once for <c>Task</c> and <c>Task&lt;T&gt;</c>
/// methods and the JIT still specializes it per method shape, with no allocation for a call that runs inline.
/// </summary>
internal interface IGrainCall<TTask> where TTask : Task
{
    /// <summary>Runs the method on the grain; a synchronous throw comes back as a faulted task.</summary>
    TTask Invoke(Grain grain);

    /// <summary>A work item for the mailbox, and the task its caller waits on.</summary>
    (WorkItem Item, TTask Task) ToWorkItem(ActivationData activation, string method);
}

internal readonly struct ResultCall<TGrain, TState, TResult>(TState state, Func<TGrain, TState, Task<TResult>> call) : IGrainCall<Task<TResult>>
{
    public Task<TResult> Invoke(Grain grain)
    {
        try
        {
            return call((TGrain)(object)grain, state);
        }
        catch (Exception exception)
        {
            return Task.FromException<TResult>(exception);
        }
    }

    public (WorkItem Item, Task<TResult> Task) ToWorkItem(ActivationData activation, string method)
    {
        var item = new CallWorkItem<TGrain, TState, TResult>(state, call);
        item.ArmTimeout(activation.Runtime.Time, activation.Runtime.Options.ResponseTimeout, activation.GrainId, method);
        return (item, item.Task);
    }
}

internal readonly struct VoidCall<TGrain, TState>(TState state, Func<TGrain, TState, Task> call) : IGrainCall<Task>
{
    public Task Invoke(Grain grain)
    {
        try
        {
            return call((TGrain)(object)grain, state);
        }
        catch (Exception exception)
        {
            return Task.FromException(exception);
        }
    }

    public (WorkItem Item, Task Task) ToWorkItem(ActivationData activation, string method)
    {
        var item = new VoidCallWorkItem<TGrain, TState>(state, call);
        item.ArmTimeout(activation.Runtime.Time, activation.Runtime.Options.ResponseTimeout, activation.GrainId, method);
        return (item, item.Task);
    }
}
