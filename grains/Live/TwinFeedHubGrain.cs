using CityOps.Twin.Contracts.Live;
using Orleans;
using Orleans.Runtime;

namespace CityOps.Twin.Grains.Live;

/// <summary>
/// The silos' feed observers. Not stored: every silo registers its observer again at an interval, so a hub that
/// was lost with its silo is whole again within that interval. Observers of silos that membership does not hold
/// active are left out, and those of dead silos forgotten.
/// </summary>
public sealed class TwinFeedHubGrain(IClusterMembershipService membership) : Grain, ITwinFeedHubGrain
{
    private readonly Dictionary<SiloAddress, ITwinFeedObserver> _observers = [];
    private IReadOnlyList<TwinFeedMember>? _active;
    private MembershipVersion _activeAt;

    public Task Register(SiloAddress silo, ITwinFeedObserver observer)
    {
        if (!_observers.TryGetValue(silo, out var known) || !known.Equals(observer))
        {
            _observers[silo] = observer;
            _active = null;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TwinFeedMember>> GetObservers()
    {
        var members = membership.CurrentSnapshot;
        if (_active is null || members.Version != _activeAt)
        {
            foreach (var dead in _observers.Keys.Where(s => members.GetSiloStatus(s) == SiloStatus.Dead).ToList())
            {
                _observers.Remove(dead);
            }
            _active = [.. _observers.Where(o => members.GetSiloStatus(o.Key) == SiloStatus.Active).Select(o => new TwinFeedMember(o.Key, o.Value))];
            _activeAt = members.Version;
        }
        return Task.FromResult(_active);
    }
}
