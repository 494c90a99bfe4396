using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Runtime;
using CityOps.Twin.Runtime.Streams;
using CityOps.Twin.Runtime.Timers;

namespace CityOps.Twin.Grains.Signs;

/// <summary>
/// A management grid: activated by the device-state and case-change streams of its code, it keeps the latest
/// state of each of its devices and cases and, when something changed, reports its counters to its street one
/// publish interval later (the Reduce pattern: no level ever scans the level below).
/// </summary>
[ImplicitStreamSubscription(TwinStreams.DeviceStates)]
[ImplicitStreamSubscription(TwinStreams.CaseChanges)]
public sealed class GridGrain(
    [PersistentState("definition")] IPersistentState<AreaDefinitionState> definition,
    [PersistentState("tally", WriteBehind = true)] IPersistentState<GridTallyState> tally,
    [PersistentState("trend", WriteBehind = true)] IPersistentState<VitalSignsTrend> trend,
    VitalSignsCalculator calculator,
    VitalSignsOptions options) : Grain, IGridGrain, IAsyncObserver<DeviceState>, IAsyncObserver<CaseRecord>
{
    // Set by the first change after a publish and gone after the next: an area with nothing new costs no turns.
    private IGrainTimer? _publishTimer;

    public async Task Define(AreaDefinition area)
    {
        if (area.Level != AreaLevel.Grid || area.Code != GetPrimaryKeyString() || string.IsNullOrWhiteSpace(area.ParentCode))
        {
            throw new ArgumentException($"Grid {GetPrimaryKeyString()}: a grid definition needs level Grid, this grid's code and its street as parent; got {area.Level} {area.Code} under '{area.ParentCode}'.");
        }
        definition.State.Definition = area;
        await definition.WriteStateAsync();
        Changed();
    }

    public Task<AreaDefinition?> GetDefinition() => Task.FromResult(definition.State.Definition);

    public Task<VitalSigns> GetVitalSigns()
    {
        var (counters, reasons) = Tally();
        return Task.FromResult(calculator.Signs(Area(), counters, reasons, TimeProvider.GetUtcNow()));
    }

    public Task<IReadOnlyList<DeviceState>> GetDevices() => Task.FromResult<IReadOnlyList<DeviceState>>([.. tally.State.Devices.Values]);

    public Task<IReadOnlyList<CaseRecord>> GetCases() => Task.FromResult<IReadOnlyList<CaseRecord>>([.. tally.State.Cases.Values]);

    public Task OnNextAsync(DeviceState item)
    {
        tally.State.Devices[item.DeviceId] = item;
        return ChangedAsync();
    }

    public Task OnNextAsync(CaseRecord item)
    {
        // The grid counts cases; their timelines and descriptions stay with the case.
        tally.State.Cases[item.CaseId] = item with { Description = string.Empty, Timeline = [] };
        return ChangedAsync();
    }

    public Task PublishNow()
    {
        _publishTimer?.Dispose();
        _publishTimer = null;
        var (counters, reasons) = Tally();
        return TreePublisher.PublishAsync(GetStreamProvider(TwinStreams.Provider), calculator, Area(), counters, reasons, TimeProvider.GetUtcNow(), trend, options);
    }

    public Task<IReadOnlyList<VitalSignsSample>> GetTrend() => Task.FromResult<IReadOnlyList<VitalSignsSample>>([.. trend.State.Samples]);

    private Task ChangedAsync()
    {
        Changed();
        return tally.WriteStateAsync();
    }

    private void Changed() => _publishTimer ??= RegisterGrainTimer(_ => PublishNow(), options.PublishInterval, Timeout.InfiniteTimeSpan);

    private (AreaCounters, IndexReasons) Tally() => calculator.FromGrid(tally.State.Devices.Values, tally.State.Cases.Values);

    private AreaDefinition Area() => definition.State.Definition
        ?? new AreaDefinition(GetPrimaryKeyString(), GetPrimaryKeyString(), AreaLevel.Grid, null, []);
}

public sealed class AreaDefinitionState
{
    public AreaDefinition? Definition { get; set; }
}

public sealed class GridTallyState
{
    public Dictionary<string, DeviceState> Devices { get; set; } = [];

    public Dictionary<string, CaseRecord> Cases { get; set; } = [];
}
