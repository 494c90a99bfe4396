using System.Collections.Concurrent;
using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Runtime;
using CityOps.Twin.Runtime.Streams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Web.Live;

/// <summary>A value of the feed with the feed version at which it last changed, so a view can send only what is new.</summary>
public readonly record struct Versioned<T>(T Value, long Version);

/// <summary>
/// The silo's one live picture of the city for every open view: the latest state of each device, each case and
/// each area's vital signs. It subscribes once to the grids' and areas' streams (not once per browser) and
/// keeps only the latest of each item, so a burst of changes costs the views one render, not one per change.
/// Stream handlers only store and signal: a slow browser can never hold up a grain.
/// </summary>
public sealed class TwinFeed(IClusterClient client, ICityDirectory city, ILogger<TwinFeed> logger) : BackgroundService, ILiveChanges
{
    private readonly ConcurrentDictionary<string, Versioned<DeviceState>> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Versioned<CaseRecord>> _cases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Versioned<VitalSigns>> _signs = new(StringComparer.Ordinal);
    private readonly List<IAsyncDisposable> _subscriptions = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Versions are given and stored under one lock, so every item at or below Version is already in its
    // dictionary: a view that sent everything up to v and then reads v' misses nothing in between.
    private readonly Lock _write = new();
    private long _version;
    private CityMode? _mode;

    /// <summary>Raised after every change, on the thread that delivered it; handlers must only take note (see <see cref="LiveFrames"/>).</summary>
    public event Action? Changed;

    /// <summary>Raised after the city's mode switched (also raises <see cref="Changed"/>); handlers must only take note.</summary>
    public event Action? ModeChanged;

    /// <summary>Completes once the feed holds the whole city (subscribed, and the current state read).</summary>
    public Task Ready => _ready.Task;

    /// <summary>Rises with every change; a view that saw version v needs only items changed after v.</summary>
    public long Version
    {
        get
        {
            lock (_write)
            {
                return _version;
            }
        }
    }

    public ICollection<Versioned<DeviceState>> Devices => _devices.Values;

    public ICollection<Versioned<CaseRecord>> Cases => _cases.Values;

    /// <summary>The city's mode as last switched (null until the feed has read it).</summary>
    public CityMode? Mode => Volatile.Read(ref _mode);

    public DeviceState? Device(string id) => _devices.TryGetValue(id, out var device) ? device.Value : null;

    public CaseRecord? Case(string id) => _cases.TryGetValue(id, out var record) ? record.Value : null;

    public VitalSigns? Signs(string areaCode) => _signs.TryGetValue(areaCode, out var signs) ? signs.Value : null;

    public IEnumerable<Versioned<VitalSigns>> GridSigns => _signs.Values.Where(s => s.Value.Level == AreaLevel.Grid);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await city.Filed.WaitAsync(stoppingToken);
            var streams = client.GetStreamProvider(TwinStreams.Provider);
            _subscriptions.Add(await streams.GetStream<ModeChange>(StreamId.Create(TwinStreams.CityMode, ICityModeGrain.CityKey)).SubscribeAsync(OnModeAsync));
            var mode = await client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode();
            Interlocked.CompareExchange(ref _mode, mode, null);
            var grids = city.Areas.Values.Where(a => a.Level == AreaLevel.Grid).Select(a => a.Code).ToList();
            foreach (var grid in grids)
            {
                _subscriptions.Add(await streams.GetStream<DeviceState>(StreamId.Create(TwinStreams.DeviceStates, grid)).SubscribeAsync(OnDeviceAsync));
                _subscriptions.Add(await streams.GetStream<CaseRecord>(StreamId.Create(TwinStreams.CaseChanges, grid)).SubscribeAsync(OnCaseAsync));
            }
            foreach (var area in city.Areas.Keys)
            {
                _subscriptions.Add(await streams.GetStream<VitalSigns>(StreamId.Create(TwinStreams.VitalSigns, area)).SubscribeAsync(OnSignsAsync));
            }

            // What changed while subscribing has arrived on the streams already and is newer: the read fills only the gaps.
            await Parallel.ForEachAsync(grids, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = stoppingToken }, async (code, _) =>
            {
                var grid = client.GetGrain<IGridGrain>(code);
                foreach (var device in await grid.GetDevices())
                {
                    Store(_devices, device.DeviceId, device, replace: false);
                }
                foreach (var record in await grid.GetCases())
                {
                    Store(_cases, record.CaseId, record, replace: false);
                }
                Store(_signs, code, await grid.GetVitalSigns(), replace: false);
            });
            foreach (var area in city.Areas.Values.Where(a => a.Level != AreaLevel.Grid))
            {
                Store(_signs, area.Code, await client.GetGrain<IAreaGrain>(area.Code).GetVitalSigns(), replace: false);
            }
            logger.LogInformation("Twin view feed holds {Devices} devices, {Cases} cases and {Areas} areas", _devices.Count, _cases.Count, _signs.Count);
            _ready.TrySetResult();
            Changed?.Invoke();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _ready.TrySetCanceled(stoppingToken);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "The twin view's feed could not start");
            _ready.TrySetException(exception);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }
    }

    private Task OnModeAsync(ModeChange change)
    {
        Volatile.Write(ref _mode, change.To);
        lock (_write)
        {
            _version++;
        }
        ModeChanged?.Invoke();
        Changed?.Invoke();
        return Task.CompletedTask;
    }

    private Task OnDeviceAsync(DeviceState device) => OnChangeAsync(_devices, device.DeviceId, device);

    private Task OnCaseAsync(CaseRecord record) => OnChangeAsync(_cases, record.CaseId, record);

    private Task OnSignsAsync(VitalSigns signs) => OnChangeAsync(_signs, signs.Code, signs);

    private Task OnChangeAsync<T>(ConcurrentDictionary<string, Versioned<T>> items, string key, T value)
    {
        Store(items, key, value, replace: true);
        Changed?.Invoke();
        return Task.CompletedTask;
    }

    private void Store<T>(ConcurrentDictionary<string, Versioned<T>> items, string key, T value, bool replace)
    {
        lock (_write)
        {
            if (replace || !items.ContainsKey(key))
            {
                items[key] = new(value, ++_version);
            }
        }
    }
}
