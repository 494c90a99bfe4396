using System.Collections.Concurrent;
using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Signs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Web.Live;

/// <summary>A value of the feed with the feed version at which it last changed, so a view can send only what is new.</summary>
public readonly record struct Versioned<T>(T Value, long Version);

/// <summary>
/// The silo's one live picture of the city for every open view: the latest state of each device, each case and
/// each area's vital signs. It hears the whole city's changes as one of the silo's feed listeners (grains on
/// every silo publish to every silo's feed; not a subscription per grid or per browser) and keeps only the newest
/// of each item, so a burst of changes costs the views one render, not one per change. Delivery only stores and
/// signals: a slow browser can never hold up a grain.
/// </summary>
public sealed class TwinFeed(IClusterClient client, ICityDirectory city, ITwinFeedMembership membership, ILogger<TwinFeed> logger)
    : BackgroundService, ILiveChanges, ITwinChangeListener
{
    private readonly ConcurrentDictionary<string, Versioned<DeviceState>> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Versioned<CaseRecord>> _cases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Versioned<VitalSigns>> _signs = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Versions are given and stored under one lock, so every item at or below Version is already in its
    // dictionary: a view that sent everything up to v and then reads v' misses nothing in between.
    private readonly Lock _write = new();
    private long _version;
    private CityMode? _mode;
    private long _lastChange = Environment.TickCount64;

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

    /// <summary>How long ago (real time) the feed last heard a change of the city: the age of what the views show.</summary>
    public TimeSpan SinceLastChange => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastChange));

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
            await membership.Registered.WaitAsync(stoppingToken);
            var mode = await client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode();
            Interlocked.CompareExchange(ref _mode, mode, null);
            var grids = city.Areas.Values.Where(a => a.Level == AreaLevel.Grid).Select(a => a.Code).ToList();

            // What changed since this silo's feed was registered is heard and is newer: the read fills only the gaps.
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

    public void OnChanges(TwinChanges changes)
    {
        var modeChanged = false;
        lock (_write)
        {
            foreach (var change in changes.Modes)
            {
                if (Volatile.Read(ref _mode) is not { } held || change.To.Since >= held.Since)
                {
                    Volatile.Write(ref _mode, change.To);
                    _version++;
                    modeChanged = true;
                }
            }
            foreach (var device in changes.Devices)
            {
                Store(_devices, device.DeviceId, device, Newer(device.At, _devices, device.DeviceId, d => d.At));
            }
            foreach (var record in changes.Cases)
            {
                Store(_cases, record.CaseId, record, Newer(record.Timeline.Count, _cases, record.CaseId, c => c.Timeline.Count));
            }
            foreach (var signs in changes.Signs)
            {
                Store(_signs, signs.Code, signs, Newer(signs.At, _signs, signs.Code, s => s.At));
            }
        }
        Interlocked.Exchange(ref _lastChange, Environment.TickCount64);
        if (modeChanged)
        {
            ModeChanged?.Invoke();
        }
        if (changes.Count > changes.Alarms.Count)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>
    /// Orleans does not promise that messages arrive in the order they were sent: an item replaces the one held only if
    /// it is at least as new by its own clock (a device's or an index's time, a case's number of steps).
    /// </summary>
    private static bool Newer<T, TOrder>(TOrder order, ConcurrentDictionary<string, Versioned<T>> items, string key, Func<T, TOrder> orderOf)
        where TOrder : IComparable<TOrder> =>
        !items.TryGetValue(key, out var held) || order.CompareTo(orderOf(held.Value)) >= 0;

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
