namespace CityOps.Twin.Runtime.Streams;

/// <summary>Receives a stream's items, one at a time, in each producer's order.</summary>
public interface IAsyncObserver<in T>
{
    Task OnNextAsync(T item);
}

/// <summary>Gives out streams by id.</summary>
public interface IStreamProvider
{
    string Name { get; }

    IAsyncStream<T> GetStream<T>(StreamId streamId);
}

/// <summary>
/// A stream. <see cref="OnNextAsync"/> completes when the item is queued for every subscriber; while a
/// subscriber's queue is full it waits, which slows the producer instead of dropping the item or letting
/// the queue grow. A producer that awaits each call keeps its order at every subscriber.
/// </summary>
public interface IAsyncStream<T>
{
    StreamId StreamId { get; }

    Task OnNextAsync(T item);

    Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer);

    Task<StreamSubscriptionHandle<T>> SubscribeAsync(Func<T, Task> onNext);
}

/// <summary>An explicit subscription; dispose or unsubscribe to end it.</summary>
public abstract class StreamSubscriptionHandle<T> : IAsyncDisposable
{
    public abstract StreamId StreamId { get; }

    public abstract Task UnsubscribeAsync();

    public async ValueTask DisposeAsync() => await UnsubscribeAsync().ConfigureAwait(false);
}

/// <summary>
/// Subscribes a grain class to every stream of a namespace: an item on stream (namespace, key) activates the
/// grain with that key and is passed to its <see cref="IAsyncObserver{T}.OnNextAsync"/> as a turn.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class ImplicitStreamSubscriptionAttribute(string streamNamespace) : Attribute
{
    public string Namespace { get; } = streamNamespace;
}
