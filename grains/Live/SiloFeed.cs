using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Grains.Mode;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Grains.Live;

/// <summary>
/// The silo's one feed observer: hands each batch to the silo's listeners, and puts a switched mode in force in the
/// silo's mode cache. A listener that throws is logged and the others still hear the batch.
/// </summary>
public sealed class SiloFeed(IEnumerable<ITwinChangeListener> listeners, CityModeCache modes, TwinFeedCounters counters, ILogger<SiloFeed> logger) : ITwinFeedObserver
{
    private readonly ITwinChangeListener[] _listeners = [.. listeners];

    public Task OnChanges(TwinChanges changes)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                listener.OnChanges(changes);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Live feed: {Listener} failed on {Count} changes", listener.GetType().Name, changes.Count);
            }
        }
        counters.Delivered(changes.Count);
        return Task.CompletedTask;
    }

    public Task ApplyMode(ModeInForce mode)
    {
        modes.Apply(mode);
        return Task.CompletedTask;
    }
}
