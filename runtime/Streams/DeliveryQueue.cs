using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Runtime.Streams;

/// <summary>
/// One subscriber's bounded queue. Items are delivered one at a time in the order they were accepted. When
/// the queue is full a producer's item waits in line (its task completes when there is room), so order
/// holds and memory stays bounded. A queue for an implicit subscriber closes and removes itself once empty,
/// so a million quiet streams cost nothing.
/// </summary>
internal sealed class DeliveryQueue<T>
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _items = new();
    private readonly Queue<(T Item, TaskCompletionSource Room)> _waiting = new();
    private readonly int _capacity;
    private readonly Func<T, Task> _deliver;
    private readonly Func<DeliveryQueue<T>, bool>? _removeWhenDrained;
    private readonly RuntimeInstruments _instruments;
    private readonly StreamActivity _activity;
    private readonly ILogger _logger;
    private readonly string _description;
    private bool _pumping;
    private bool _closed;

    public DeliveryQueue(int capacity, Func<T, Task> deliver, Func<DeliveryQueue<T>, bool>? removeWhenDrained, RuntimeInstruments instruments, StreamActivity activity, ILogger logger, string description)
    {
        _activity = activity;
        _capacity = capacity;
        _deliver = deliver;
        _removeWhenDrained = removeWhenDrained;
        _instruments = instruments;
        _logger = logger;
        _description = description;
    }

    /// <summary>Null when the queue has closed: the caller gets a fresh one and tries again.</summary>
    public Task? TryEnqueue(T item)
    {
        bool startPump;
        Task accepted;
        lock (_lock)
        {
            if (_closed)
            {
                return null;
            }

            if (_items.Count < _capacity && _waiting.Count == 0)
            {
                _items.Enqueue(item);
                accepted = Task.CompletedTask;
            }
            else
            {
                var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Enqueue((item, room));
                accepted = room.Task;
            }
            _instruments.StreamQueueDepthChanged(1);
            _activity.Started();
            startPump = !_pumping;
            _pumping = true;
        }

        if (startPump)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static queue => _ = queue.PumpAsync(), this, preferLocal: false);
        }
        return accepted;
    }

    /// <summary>Ends an explicit subscription: nothing more is delivered and waiting producers go on.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _instruments.StreamQueueDepthChanged(-(_items.Count + _waiting.Count));
            _activity.Finished(_items.Count + _waiting.Count);
            _items.Clear();
            while (_waiting.TryDequeue(out var waiting))
            {
                waiting.Room.TrySetResult();
            }
        }
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            T item;
            lock (_lock)
            {
                if (_closed || _items.Count == 0)
                {
                    if (!_closed && _removeWhenDrained is not null && _removeWhenDrained(this))
                    {
                        _closed = true;
                    }
                    _pumping = false;
                    return;
                }

                item = _items.Dequeue();
                if (_waiting.TryDequeue(out var waiting))
                {
                    _items.Enqueue(waiting.Item);
                    waiting.Room.TrySetResult();
                }
            }
            _instruments.StreamQueueDepthChanged(-1);

            try
            {
                await _deliver(item).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                _instruments.StreamDeliveryFailed();
                _logger.LogWarning(exception, "Delivering an item of {Stream} failed; the subscriber gets the next item", _description);
            }
            finally
            {
                _activity.Finished();
            }
        }
    }
}
