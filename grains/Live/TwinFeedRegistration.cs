using CityOps.Twin.Contracts.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace CityOps.Twin.Grains.Live;

/// <summary>
/// Registers this silo's feed observer with the hub at start and every <see cref="Interval"/> after, holding the
/// observer's reference for the silo's life (Orleans keeps only a weak one). <see cref="Registered"/> completes once
/// publishers everywhere send to it, so a feed that reads the city's state after it misses nothing.
/// </summary>
public sealed class TwinFeedRegistration(
    IServiceProvider services, IGrainFactory grains, ILocalSiloDetails silo, ILogger<TwinFeedRegistration> logger)
    : BackgroundService, ITwinFeedMembership, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly TaskCompletionSource _siloActive = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Registration waits for the silo's Active stage (register this as a silo lifecycle participant too).</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(TwinFeedRegistration), ServiceLifecycleStage.Active,
            _ => { _siloActive.TrySetResult(); return Task.CompletedTask; },
            _ => Task.CompletedTask);

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITwinFeedObserver? _reference;

    /// <summary>Completes once the hub lists this silo's observer and every publisher's list is fresh enough to hold it.</summary>
    public Task Registered => _registered.Task;

    private long _registeredAt = long.MinValue;

    /// <summary>How long ago the hub last took this silo's observer (it is registered again every <see cref="Interval"/>); null before the first time.</summary>
    public TimeSpan? SinceRegistered => Volatile.Read(ref _registeredAt) is var at && at == long.MinValue ? null : TimeSpan.FromMilliseconds(Environment.TickCount64 - at);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not before the silo is active: a call made while it is still starting can be held in placement and never
        // answered (seen in drill silos and test clusters, where this service may start before Orleans' own).
        try
        {
            await _siloActive.Task.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            _registered.TrySetCanceled(stoppingToken);
            return;
        }
        // Resolved here, not injected: the observer's listeners (the view's feed) wait on this registration. A silo
        // whose observer cannot be made says so to whoever waits, rather than leaving them waiting.
        try
        {
            _reference = grains.CreateObjectReference<ITwinFeedObserver>(services.GetRequiredService<ITwinFeedObserver>());
        }
        catch (Exception exception)
        {
            _registered.TrySetException(exception);
            throw;
        }
        var hub = grains.GetGrain<ITwinFeedHubGrain>(ITwinFeedHubGrain.Key);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await hub.Register(silo.SiloAddress, _reference);
                Volatile.Write(ref _registeredAt, Environment.TickCount64);
                if (!_registered.Task.IsCompleted)
                {
                    // A publisher reads the list at most this long ago: after it, every one sends here too.
                    await Task.Delay(TwinFeedPublisherGrain.ObserverRefresh, stoppingToken);
                    _registered.TrySetResult();
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                if (!_registered.Task.IsCompleted)
                {
                    // The silo may still be starting (this service can start before Orleans' own): try again soon.
                    logger.LogDebug("Live feed: not registered yet ({Problem}); trying again", exception.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
                    continue;
                }
                logger.LogWarning("Live feed: this silo's feed could not be registered ({Problem}); trying again", exception.Message);
            }
            try
            {
                // Real time, as Orleans' own maintenance: a drill's clock must not hold it up.
                await Task.Delay(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        // The observer's reference is not deleted here: publishers read the hub's list at most every
        // TwinFeedPublisherGrain.ObserverRefresh and keep sending until then, and a deleted reference made each of those
        // one-way calls log "Unexpected target grain" while the silo stopped. It goes with the silo's host.
        _registered.TrySetCanceled(stoppingToken);
    }
}
