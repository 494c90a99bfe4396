namespace CityOps.Twin.Runtime;

/// <summary>
/// The base of every generated grain reference. A reference is a value: the grain id and the invoker. It
/// remembers the activation it last reached so that a call need not look it up again while that
/// activation lives.
/// </summary>
public abstract class GrainReference(GrainId grainId, IGrainCallInvoker invoker)
{
    public GrainId GrainId { get; } = grainId;

    /// <summary>Written and read by the invoker on every call; a stale value is detected and replaced.</summary>
    internal object? CachedActivation;

    protected Task<TResult> InvokeAsync<TGrain, TState, TResult>(string method, TState state, Func<TGrain, TState, Task<TResult>> call) =>
        invoker.InvokeAsync(this, method, state, call);

    protected Task InvokeAsync<TGrain, TState>(string method, TState state, Func<TGrain, TState, Task> call) =>
        invoker.InvokeAsync(this, method, state, call);

    public override bool Equals(object? obj) => obj is GrainReference other && other.GrainId == GrainId;

    public override int GetHashCode() => GrainId.GetHashCode();

    public override string ToString() => GrainId.ToString();
}

/// <summary>Carries a call from a reference to its activation.</summary>
public interface IGrainCallInvoker
{
    Task<TResult> InvokeAsync<TGrain, TState, TResult>(GrainReference target, string method, TState state, Func<TGrain, TState, Task<TResult>> call);

    Task InvokeAsync<TGrain, TState>(GrainReference target, string method, TState state, Func<TGrain, TState, Task> call);
}

/// <summary>The argument value of a grain method that takes none.</summary>
public readonly struct NoArguments
{
}

/// <summary>Written by the code generator: names the reference class generated for a grain interface.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class GrainReferenceTypeAttribute(Type grainInterface, Type referenceType) : Attribute
{
    public Type GrainInterface { get; } = grainInterface;

    public Type ReferenceType { get; } = referenceType;
}
