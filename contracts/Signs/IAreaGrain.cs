
namespace CityOps.Twin.Contracts.Signs;

/// <summary>The city, a district or a street, keyed by its code: it sums its children's summaries.</summary>
public interface IAreaGrain : IGrainWithStringKey
{
    public const string CityCode = "city";

    Task Define(AreaDefinition definition);

    Task<AreaDefinition?> GetDefinition();

    Task<VitalSigns> GetVitalSigns();

    /// <summary>The area's indices over the last hours, oldest first, one sample per trend interval.</summary>
    Task<IReadOnlyList<VitalSignsSample>> GetTrend();

    /// <summary>The children's latest vital signs, for drilling down.</summary>
    Task<IReadOnlyList<VitalSigns>> GetChildren();

    /// <summary>Reports to the parent now instead of at the next tick (drills and tests that step a clock).</summary>
    Task PublishNow();

    /// <summary>A child's counters (the tree's reduce step). One-way: a child never waits on its parent.</summary>
    [Orleans.Concurrency.OneWay]
    Task OnSummary(AreaSummary summary);
}

/// <summary>A management grid, keyed by its code: it counts its devices and cases.</summary>
public interface IGridGrain : IGrainWithStringKey
{
    Task Define(AreaDefinition definition);

    Task<AreaDefinition?> GetDefinition();

    Task<VitalSigns> GetVitalSigns();

    /// <summary>The grid's indices over the last hours, oldest first, one sample per trend interval.</summary>
    Task<IReadOnlyList<VitalSignsSample>> GetTrend();

    /// <summary>The latest state of each of the grid's devices.</summary>
    Task<IReadOnlyList<Devices.DeviceState>> GetDevices();

    /// <summary>The grid's cases as it counts them (without timelines), open and finished.</summary>
    Task<IReadOnlyList<Cases.CaseRecord>> GetCases();

    Task PublishNow();

    /// <summary>One of the grid's devices changed (filed, alarm level, online, elevator status). One-way: a device never waits on its grid.</summary>
    [Orleans.Concurrency.OneWay]
    Task OnDevice(Devices.DeviceState device);

    /// <summary>One of the grid's cases took a step. One-way, as above.</summary>
    [Orleans.Concurrency.OneWay]
    Task OnCase(Cases.CaseRecord record);
}
