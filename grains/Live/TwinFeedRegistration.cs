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
    IServiceProvider services, IGrainFactory grains, ILocalSiloDetails silo, IHostApplicationLifetime lifetime, ILogger<TwinFeedRegistration> logger)
    : BackgroundService, ITwinFeedMembership
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITwinFeedObserver? _reference;

    /// <summary>Completes once the hub lists this silo's observer and every publisher's list is fresh enough to hold it.</summary>
    public Task Registered => _registered.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not before the host (the silo with it) has started: a call made while the silo is still starting can be held
        // in placement and never answered (seen in drill silos, whose services are added before Orleans'), instead of
        // failing fast and being tried again below.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                _registered.TrySetCanceled(stoppingToken);
                return;
            }
        }
        // Resolved here, not injected: the observer's listeners (the view's feed) wait on this registration.
        _reference = grains.CreateObjectReference<ITwinFeedObserver>(services.GetRequiredService<ITwinFeedObserver>());
        var hub = grains.GetGrain<ITwinFeedHubGrain>(ITwinFeedHubGrain.Key);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await hub.Register(silo.SiloAddress, _reference);
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
        _registered.TrySetCanceled(stoppingToken);
        grains.DeleteObjectReference<ITwinFeedObserver>(_reference);
    }
}
