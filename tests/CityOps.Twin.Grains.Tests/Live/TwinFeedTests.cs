using System.Collections.Concurrent;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Live;
using CityOps.Twin.Grains.Mode;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans;
using Orleans.TestingHost;

namespace CityOps.Twin.Grains.Tests.Live;

/// <summary>
/// The view's push path on a real Orleans cluster: what a grain on any silo publishes reaches every silo's feed
/// observer, batched, each item's latest version last; a silo that joins hears the city from its registration on;
/// a silo that leaves is dropped and the others go on; a switched mode is in every silo's cache before it is acknowledged.
/// </summary>
public sealed class TwinFeedTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.TryAddSingleton(TimeProvider.System);
            silo.Services.AddSingleton<RecordingFeed>();
            silo.Services.AddSingleton<ITwinChangeListener>(sp => sp.GetRequiredService<RecordingFeed>());
            silo.Services.AddSingleton<CityModeCache>();
            silo.Services.AddSingleton<TwinFeedCounters>();
            silo.Services.AddSingleton<ITwinFeedObserver, SiloFeed>();
            silo.Services.AddSingleton<TwinFeedRegistration>();
            silo.Services.AddHostedService(sp => sp.GetRequiredService<TwinFeedRegistration>());
            silo.Services.AddSingleton<Orleans.ILifecycleParticipant<Orleans.Runtime.ISiloLifecycle>>(sp => sp.GetRequiredService<TwinFeedRegistration>());
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        await Task.WhenAll(_cluster.Silos.Select(s => Registration(s).Registered.WaitAsync(Patience)));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task What_grains_on_either_silo_publish_reaches_every_silos_feed_in_batches_and_each_item_ends_at_its_latest_version()
    {
        const int devices = 300, versions = 10;
        var first = _cluster.Silos[0];
        var second = _cluster.Silos[1];

        // Each silo's grains publish their own devices, version after version, without waiting for the views.
        await Task.WhenAll(
            PublishAsync(Grains(first), "WL-A", devices, versions),
            PublishAsync(Grains(second), "WL-B", devices, versions));

        foreach (var silo in _cluster.Silos)
        {
            var feed = Feed(silo);
            await WaitForAsync(() => feed.Received == 2 * devices * versions, $"silo {silo.SiloAddress} to hear every device's last version");
            Assert.All(feed.Devices.Values, d => Assert.Equal(AlarmLevel.Red, d.Level));
            Assert.Equal(2 * devices, feed.Devices.Count);
            Assert.True(feed.Batches < feed.Received, $"{feed.Received} changes came in {feed.Batches} batches: nothing was batched");
        }
    }

    [Fact]
    public async Task A_silo_that_joins_hears_changes_published_after_it_registered_and_one_that_leaves_is_dropped()
    {
        var joined = await _cluster.StartAdditionalSiloAsync();
        await Registration(joined).Registered.WaitAsync(Patience);
        await Grains(_cluster.Silos[0]).GetGrain<ITwinFeedPublisherGrain>(ITwinFeedPublisherGrain.Key).Publish(TwinChanges.Of(Device("WL-NEW-1", AlarmLevel.Blue, 1)));
        await WaitForAsync(() => Feed(joined).Devices.ContainsKey("WL-NEW-1"), "the joined silo to hear a change published on another");

        var leaving = _cluster.Silos[1];
        await _cluster.StopSiloAsync(leaving);
        var hub = Grains(_cluster.Silos[0]).GetGrain<ITwinFeedHubGrain>(ITwinFeedHubGrain.Key);
        await WaitForAsync(async () => (await hub.GetObservers()).Count == 2, "the hub to drop the stopped silo's feed");

        await Grains(joined).GetGrain<ITwinFeedPublisherGrain>(ITwinFeedPublisherGrain.Key).Publish(TwinChanges.Of(Device("WL-NEW-2", AlarmLevel.Yellow, 1)));
        await WaitForAsync(() => Feed(_cluster.Silos[0]).Devices.ContainsKey("WL-NEW-2") && Feed(joined).Devices.ContainsKey("WL-NEW-2"), "the remaining silos to hear on");
    }

    [Fact]
    public async Task A_switched_mode_is_in_force_in_every_silos_cache_when_the_broadcast_returns_and_an_older_one_arriving_late_is_ignored()
    {
        var since = new DateTimeOffset(2026, 7, 27, 1, 0, 0, TimeSpan.FromHours(8));
        var flood = new ModeInForce(new CityMode(OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, ["310115"], since, "指挥长"), ["310115-zhangjiang-188"]);

        await ModeBroadcast.InForceEverywhereAsync(Grains(_cluster.Silos[1]), flood);

        foreach (var silo in _cluster.Silos)
        {
            var cache = Cache(silo);
            Assert.Equal(OperatingMode.Emergency, cache.For("310115-zhangjiang-188"));
            Assert.Equal(OperatingMode.Normal, cache.For("310104-xujiahui-007"));
        }

        var stale = new ModeInForce(CityMode.Normal(since.AddMinutes(-5), "指挥长"), []);
        await ModeBroadcast.InForceEverywhereAsync(Grains(_cluster.Silos[0]), stale);
        Assert.All(_cluster.Silos, silo => Assert.Equal(OperatingMode.Emergency, Cache(silo).For("310115-zhangjiang-188")));

        await ModeBroadcast.InForceEverywhereAsync(Grains(_cluster.Silos[0]), new ModeInForce(CityMode.Normal(since.AddHours(6), "指挥长"), []));
        Assert.All(_cluster.Silos, silo => Assert.Equal(OperatingMode.Normal, Cache(silo).For("310115-zhangjiang-188")));
    }

    private static async Task PublishAsync(IGrainFactory grains, string prefix, int devices, int versions)
    {
        var publisher = grains.GetGrain<ITwinFeedPublisherGrain>(ITwinFeedPublisherGrain.Key);
        for (var version = 1; version <= versions; version++)
        {
            var level = version == versions ? AlarmLevel.Red : AlarmLevel.None;
            for (var i = 0; i < devices; i++)
            {
                await publisher.Publish(TwinChanges.Of(Device($"{prefix}-{i:D5}", level, version)));
            }
        }
    }

    private static DeviceState Device(string id, AlarmLevel level, int version) =>
        new(id, DeviceKind.Sensor, $"积水监测 {id}", "310115-zhangjiang-188", new GeoPoint(121.6, 31.2), SensorKind.Waterlogging, level, true, null,
            new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.FromHours(8)).AddSeconds(version));

    private IGrainFactory Grains(InProcessSiloHandle silo) => _cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<IGrainFactory>();

    private RecordingFeed Feed(InProcessSiloHandle silo) => _cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<RecordingFeed>();

    private CityModeCache Cache(InProcessSiloHandle silo) => _cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<CityModeCache>();

    private TwinFeedRegistration Registration(InProcessSiloHandle silo) => _cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<TwinFeedRegistration>();

    private static Task WaitForAsync(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Patience);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Waited {Patience.TotalSeconds} s for {what}.");
            }
            await poll.WaitForNextTickAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// A silo's feed as the view's is: the newest of each device by its own time, since Orleans does not promise that
    /// messages arrive in the order they were sent (seen here: a grain's first change, held while the publisher
    /// activated, arriving after its later ones).
    /// </summary>
    private sealed class RecordingFeed : ITwinChangeListener
    {
        public ConcurrentDictionary<string, DeviceState> Devices { get; } = new(StringComparer.Ordinal);

        public int Received;
        public int Batches;

        public void OnChanges(TwinChanges changes)
        {
            Interlocked.Increment(ref Batches);
            foreach (var device in changes.Devices)
            {
                Devices.AddOrUpdate(device.DeviceId, device, (_, known) => device.At >= known.At ? device : known);
                Interlocked.Increment(ref Received);
            }
        }
    }
}
