using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Placement;

namespace CityOps.Twin.Grains.Signs;

/// <summary>
/// A management grid: its devices and cases call it (one-way) with every change; it keeps the latest
/// state of each of its devices and cases and, when something changed, reports its counters to its street: at
/// once after a quiet spell, else once the publish interval is up (<see cref="PublishThrottle"/>; the Reduce
/// pattern: no level ever scans the level below).
/// </summary>
[GridPlacement]
public sealed class GridGrain(
    [PersistentState("definition", TwinGrains.Storage)] IPersistentState<AreaDefinitionState> definition,
    [PersistentState("tally", TwinGrains.Storage)] IPersistentState<GridTallyState> tally,
    [PersistentState("trend", TwinGrains.Storage)] IPersistentState<VitalSignsTrend> trend,
    VitalSignsCalculator calculator,
    VitalSignsOptions options,
    TimeProvider time) : Grain, IGridGrain
{
    // An area with nothing new costs no turns: no timer runs unless changes wait for their interval.
    private PublishThrottle? _throttle;

    private PublishThrottle Throttle => _throttle ??= new PublishThrottle(
        time, options.PublishInterval, due => this.RegisterGrainTimer(_ => Throttle.PublishAsync(), due, Timeout.InfiniteTimeSpan), PublishSignsAsync);

    // Written-behind states are saved as the grain leaves, not within their window: its next activation may be on
    // another silo (a silo stopping, or the grain moving to its grid's silo: HotState).
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => HotState.FlushAsync(this);

    public async Task Define(AreaDefinition area)
    {
        if (area.Level != AreaLevel.Grid || area.Code != this.GetPrimaryKeyString() || string.IsNullOrWhiteSpace(area.ParentCode))
        {
            throw new ArgumentException($"Grid {this.GetPrimaryKeyString()}: a grid definition needs level Grid, this grid's code and its street as parent; got {area.Level} {area.Code} under '{area.ParentCode}'.");
        }
        definition.State.Definition = area;
        await definition.WriteStateAsync();
        await Throttle.ChangedAsync();
    }

    public Task<AreaDefinition?> GetDefinition() => Task.FromResult(definition.State.Definition);

    public Task<VitalSigns> GetVitalSigns()
    {
        var (counters, reasons) = Tally();
        return Task.FromResult(calculator.Signs(Area(), counters, reasons, time.GetUtcNow()));
    }

    public Task<IReadOnlyList<DeviceState>> GetDevices() => Task.FromResult<IReadOnlyList<DeviceState>>(tally.State.Devices.Values.ToList());

    public Task<IReadOnlyList<CaseRecord>> GetCases() => Task.FromResult<IReadOnlyList<CaseRecord>>(tally.State.Cases.Values.ToList());

    public Task OnDevice(DeviceState item)
    {
        tally.State.Devices[item.DeviceId] = item;
        return ChangedAsync();
    }

    public Task OnCase(CaseRecord item)
    {
        // The grid counts cases; their timelines and descriptions stay with the case.
        tally.State.Cases[item.CaseId] = item with { Description = string.Empty, Timeline = [] };
        return ChangedAsync();
    }

    public Task PublishNow() => Throttle.PublishAsync();

    private Task PublishSignsAsync()
    {
        var (counters, reasons) = Tally();
        return TreePublisher.PublishAsync(GrainFactory, calculator, Area(), counters, reasons, time.GetUtcNow(), trend, options);
    }

    public Task<IReadOnlyList<VitalSignsSample>> GetTrend() => Task.FromResult<IReadOnlyList<VitalSignsSample>>(trend.State.Samples.ToList());

    private async Task ChangedAsync()
    {
        await tally.WriteStateAsync();
        await Throttle.ChangedAsync();
    }

    private (AreaCounters, IndexReasons) Tally() => calculator.FromGrid(tally.State.Devices.Values, tally.State.Cases.Values);

    private AreaDefinition Area() => definition.State.Definition
        ?? new AreaDefinition(this.GetPrimaryKeyString(), this.GetPrimaryKeyString(), AreaLevel.Grid, null, []);
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
