using CityOps.Twin.Contracts.Live;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Concurrency;

namespace CityOps.Twin.Grains.Live;

/// <summary>
/// Sends what grains publish to every silo's feed observer. One activation per silo ([StatelessWorker(1)]), local to
/// its callers; reentrant, so a publish only queues and never waits for a batch on its way. Orleans does not promise
/// that messages arrive in the order they were sent, so every item carries its own time and a feed keeps the newest
/// of each. While one batch is being sent, what arrives gathers into the next: an idle city sends each
/// change at once, a busy one sends few large batches. A silo whose observer fails is logged and skipped for that
/// batch; the hub drops it once membership declares it dead.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
/// <remarks>
/// The feed's own cadence (how often the list of silos is read) runs on real time, like Orleans' maintenance: a drill
/// or a test that holds its clock still, or moves it by a day, must neither starve nor flood it.
/// </remarks>
public sealed class TwinFeedPublisherGrain(ILogger<TwinFeedPublisherGrain> logger, TwinFeedCounters counters) : Grain, ITwinFeedPublisherGrain
{
    /// <summary>How long a publisher trusts its list of observers: a silo that joined is heard from within about this.</summary>
    public static readonly TimeSpan ObserverRefresh = TimeSpan.FromSeconds(1);

    /// <summary>Items per batch at most, so one batch never grows into a message too large to send quickly.</summary>
    public const int MaxBatch = 2_000;

    private readonly Queue<TwinChanges> _pending = new();
    private int _pendingItems;
    private Task _sending = Task.CompletedTask;
    private IReadOnlyList<TwinFeedMember> _observers = [];
    private long _observersRead = long.MinValue / 2;

    public Task Publish(TwinChanges changes)
    {
        if (changes.Count == 0)
        {
            return Task.CompletedTask;
        }
        counters.Published(changes.Count);
        _pending.Enqueue(changes);
        _pendingItems += changes.Count;
        if (_sending.IsCompleted)
        {
            _sending = SendAsync();
        }
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _sending.IsCompleted && _pending.Count > 0 ? SendAsync() : _sending;

    private async Task SendAsync()
    {
        while (_pending.Count > 0)
        {
            if (Environment.TickCount64 - _observersRead >= (long)ObserverRefresh.TotalMilliseconds)
            {
                try
                {
                    _observers = await GrainFactory.GetGrain<ITwinFeedHubGrain>(ITwinFeedHubGrain.Key).GetObservers();
                    _observersRead = Environment.TickCount64;
                }
                catch (Exception exception)
                {
                    // The hub's silo may be going down: send to the observers known, and ask again next batch.
                    logger.LogWarning("Live feed: the list of silos' feeds could not be read ({Problem}); sending to the {Count} known", exception.Message, _observers.Count);
                }
            }
            var batch = TakeBatch();
            foreach (var member in _observers)
            {
                try
                {
                    await member.Observer.OnChanges(batch);
                }
                catch (Exception exception)
                {
                    logger.LogWarning("Live feed: the feed of silo {Silo} did not take {Count} changes ({Problem})", member.Silo, batch.Count, exception.Message);
                }
            }
        }
    }

    private TwinChanges TakeBatch()
    {
        if (_pending.Count == 1 || _pendingItems <= _pending.Peek().Count)
        {
            var single = _pending.Dequeue();
            _pendingItems -= single.Count;
            return single;
        }
        List<Contracts.Devices.DeviceState> devices = [];
        List<Contracts.Cases.CaseRecord> cases = [];
        List<Contracts.Signs.VitalSigns> signs = [];
        List<Contracts.Mode.ModeChange> modes = [];
        List<Contracts.Sensors.SensorAlarmChanged> alarms = [];
        var taken = 0;
        while (_pending.Count > 0 && taken + _pending.Peek().Count <= MaxBatch)
        {
            var next = _pending.Dequeue();
            devices.AddRange(next.Devices);
            cases.AddRange(next.Cases);
            signs.AddRange(next.Signs);
            modes.AddRange(next.Modes);
            alarms.AddRange(next.Alarms);
            taken += next.Count;
        }
        if (taken == 0)
        {
            // One publish larger than a batch goes as it is.
            var large = _pending.Dequeue();
            _pendingItems -= large.Count;
            return large;
        }
        _pendingItems -= taken;
        return new TwinChanges(devices, cases, signs, modes, alarms);
    }
}
