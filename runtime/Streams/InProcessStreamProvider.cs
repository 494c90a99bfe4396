using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Runtime.Streams;

/// <summary>
/// Streams within the silo. Each explicit subscription has its own bounded queue; each implicitly subscribed
/// grain has one per grain, made when an item comes and dropped when drained. Items are never persisted: a
/// stream carries changes whose truth is in the grains' state.
/// </summary>
internal sealed class InProcessStreamProvider(string name, GrainRuntime runtime) : IStreamProvider
{
    private readonly ConcurrentDictionary<(StreamId, Type), object> _streams = new();
    private readonly ConcurrentDictionary<(GrainId, Type), object> _implicitQueues = new();

    public string Name { get; } = name;

    public IAsyncStream<T> GetStream<T>(StreamId streamId) =>
        (IAsyncStream<T>)_streams.GetOrAdd((streamId, typeof(T)), static (key, provider) => new InProcessStream<T>(provider, key.Item1), this);

    private DeliveryQueue<T> ImplicitQueue<T>(GrainId grainId) =>
        (DeliveryQueue<T>)_implicitQueues.GetOrAdd((grainId, typeof(T)), static (key, provider) =>
        {
            var grainId = key.Item1;
            return new DeliveryQueue<T>(
                provider.Runtime.Options.StreamQueueCapacity,
                item => provider.Runtime.InvokeGrainAsync<IAsyncObserver<T>, T>(grainId, "IAsyncObserver.OnNextAsync", item, static (g, i) => g.OnNextAsync(i)),
                queue => provider._implicitQueues.TryRemove(new KeyValuePair<(GrainId, Type), object>((grainId, typeof(T)), queue)),
                provider.Runtime.Instruments,
                provider.Runtime.StreamActivity,
                provider.Runtime.Logger,
                $"implicit subscription of {grainId}");
        }, this);

    private GrainRuntime Runtime => runtime;

    private sealed class InProcessStream<T>(InProcessStreamProvider provider, StreamId streamId) : IAsyncStream<T>
    {
        private ImmutableArray<Subscription> _subscriptions = [];

        public StreamId StreamId { get; } = streamId;

        public async Task OnNextAsync(T item)
        {
            foreach (var grainType in provider.Runtime.Registry.ImplicitSubscribers<T>(StreamId.Namespace))
            {
                var grainId = new GrainId(grainType, StreamId.Key);
                while (true)
                {
                    var accepted = provider.ImplicitQueue<T>(grainId).TryEnqueue(item);
                    if (accepted is not null)
                    {
                        await accepted.ConfigureAwait(false);
                        break;
                    }
                }
            }

            foreach (var subscription in _subscriptions)
            {
                if (subscription.Queue.TryEnqueue(item) is { } accepted)
                {
                    await accepted.ConfigureAwait(false);
                }
            }
        }

        public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer) => SubscribeAsync(observer.OnNextAsync);

        public Task<StreamSubscriptionHandle<T>> SubscribeAsync(Func<T, Task> onNext)
        {
            var subscription = new Subscription(this, new DeliveryQueue<T>(
                provider.Runtime.Options.StreamQueueCapacity, onNext, null, provider.Runtime.Instruments, provider.Runtime.StreamActivity, provider.Runtime.Logger, $"subscription to {StreamId}"));
            ImmutableInterlocked.Update(ref _subscriptions, static (list, s) => list.Add(s), subscription);
            return Task.FromResult<StreamSubscriptionHandle<T>>(subscription);
        }

        private void Remove(Subscription subscription) =>
            ImmutableInterlocked.Update(ref _subscriptions, static (list, s) => list.Remove(s), subscription);

        private sealed class Subscription(InProcessStream<T> stream, DeliveryQueue<T> queue) : StreamSubscriptionHandle<T>
        {
            public DeliveryQueue<T> Queue { get; } = queue;

            public override StreamId StreamId => stream.StreamId;

            public override Task UnsubscribeAsync()
            {
                stream.Remove(this);
                Queue.Close();
                return Task.CompletedTask;
            }
        }
    }
}
