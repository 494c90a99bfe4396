using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Signs;
using Orleans;

namespace CityOps.Twin.Contracts.Live;

/// <summary>
/// What changed in the city, as the views, the CAP log and drills hear it: devices, cases, vital signs, mode switches
/// and sensors' alarm changes, each the whole latest item. Grains publish one change at a time; the feed's publisher sends them on in batches.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Live.TwinChanges")]
public sealed record TwinChanges(
    [property: Id(0)] IReadOnlyList<DeviceState> Devices,
    [property: Id(1)] IReadOnlyList<CaseRecord> Cases,
    [property: Id(2)] IReadOnlyList<VitalSigns> Signs,
    [property: Id(3)] IReadOnlyList<ModeChange> Modes,
    [property: Id(4)] IReadOnlyList<Sensors.SensorAlarmChanged> Alarms)
{
    public static readonly TwinChanges None = new([], [], [], [], []);

    public int Count => Devices.Count + Cases.Count + Signs.Count + Modes.Count + Alarms.Count;

    public static TwinChanges Of(DeviceState device) => None with { Devices = [device] };

    public static TwinChanges Of(CaseRecord record) => None with { Cases = [record] };

    public static TwinChanges Of(VitalSigns signs) => None with { Signs = [signs] };

    public static TwinChanges Of(ModeChange change) => None with { Modes = [change] };

    public static TwinChanges Of(Sensors.SensorAlarmChanged alarm) => None with { Alarms = [alarm] };
}

/// <summary>
/// One per silo: what the silo hears of the whole city. The feed's publishers call it with batches, which it hands
/// to the silo's listeners (the views' feed, the CAP log, the switch proposer); a mode switch calls it before the
/// switch is acknowledged. It must only store and signal, never call back into grains.
/// </summary>
[Alias("CityOps.Live.ITwinFeedObserver")]
public interface ITwinFeedObserver : IGrainObserver
{
    /// <summary>One-way: a silo whose feed is slow or gone never holds up a publisher or the grain behind it.</summary>
    [Orleans.Concurrency.OneWay]
    Task OnChanges(TwinChanges changes);

    /// <summary>Puts a switched mode in force in the silo's mode cache; awaited, so a switch is acknowledged only after every silo holds it.</summary>
    Task ApplyMode(Mode.ModeInForce mode);
}

/// <summary>A silo's feed observer, as the hub lists it.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Live.TwinFeedMember")]
public sealed record TwinFeedMember(
    [property: Id(0)] Orleans.Runtime.SiloAddress Silo,
    [property: Id(1)] ITwinFeedObserver Observer);

/// <summary>
/// Where grains send what the views must hear (the shape of Orleans' GPSTracker sample): one worker per silo,
/// local to its caller, that batches what arrives while a batch is on its way and sends each batch to every
/// silo's <see cref="ITwinFeedObserver"/>.
/// </summary>
[Alias("CityOps.Live.ITwinFeedPublisherGrain")]
public interface ITwinFeedPublisherGrain : IGrainWithIntegerKey
{
    /// <summary>The key every caller uses: the worker is per silo, not per key.</summary>
    public const long Key = 0;

    /// <summary>One-way: publishing never waits for a view, and a lost view costs the grain nothing.</summary>
    [Orleans.Concurrency.OneWay]
    Task Publish(TwinChanges changes);
}

/// <summary>The cluster's list of feed observers, one per active silo, that publishers send to.</summary>
[Alias("CityOps.Live.ITwinFeedHubGrain")]
public interface ITwinFeedHubGrain : IGrainWithStringKey
{
    public const string Key = "city";

    /// <summary>Adds or refreshes a silo's observer; silos call it at start and again at an interval, since the list is not stored.</summary>
    Task Register(Orleans.Runtime.SiloAddress silo, ITwinFeedObserver observer);

    /// <summary>The observers of silos that membership holds active.</summary>
    Task<IReadOnlyList<TwinFeedMember>> GetObservers();
}

/// <summary>Something in a silo that follows the whole city: the views' feed, the CAP log, the switch proposer, a drill's recorder.</summary>
public interface ITwinChangeListener
{
    /// <summary>Called on the feed's delivery thread: take note and return; never wait on a grain here.</summary>
    void OnChanges(TwinChanges changes);
}

/// <summary>This silo's place in the feed: complete once every publisher in the cluster sends this silo what changes.</summary>
public interface ITwinFeedMembership
{
    /// <summary>After it, a reader of the city's state misses nothing: what changes later is heard.</summary>
    Task Registered { get; }
}
