using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Placement;

namespace CityOps.Twin.Grains.Signs;

/// <summary>
/// A street, district or the city: keeps its children's latest summaries (each child calls it, one-way) and,
/// when one changed, reports their sum to its parent on the next tick.
/// </summary>
[GridPlacement]
public sealed class AreaGrain(
    [PersistentState("definition", TwinGrains.Storage)] IPersistentState<AreaDefinitionState> definition,
    [PersistentState("children", TwinGrains.Storage)] IPersistentState<AreaChildrenState> children,
    [PersistentState("trend", TwinGrains.Storage)] IPersistentState<VitalSignsTrend> trend,
    VitalSignsCalculator calculator,
    VitalSignsOptions options,
    TimeProvider time) : Grain, IAreaGrain
{
    // An area with nothing new costs no turns: no timer runs unless changes wait for their interval.
    private PublishThrottle? _throttle;
    private bool _childrenUnsaved;

    private PublishThrottle Throttle => _throttle ??= new PublishThrottle(
        time, options.PublishInterval, due => this.RegisterGrainTimer(_ => Throttle.PublishAsync(), due, Timeout.InfiniteTimeSpan), PublishSignsAsync);

    public async Task Define(AreaDefinition area)
    {
        var cityWithoutParent = area.Level == AreaLevel.City && area.ParentCode is null;
        var childWithParent = area.Level is AreaLevel.District or AreaLevel.Street && !string.IsNullOrWhiteSpace(area.ParentCode);
        if (area.Code != this.GetPrimaryKeyString() || !(cityWithoutParent || childWithParent))
        {
            throw new ArgumentException($"Area {this.GetPrimaryKeyString()}: needs this area's code, level City without a parent or District/Street with one; got {area.Level} {area.Code} under '{area.ParentCode}'.");
        }
        definition.State.Definition = area;
        await definition.WriteStateAsync();
        await Throttle.ChangedAsync();
    }

    public Task<AreaDefinition?> GetDefinition() => Task.FromResult(definition.State.Definition);

    public Task<VitalSigns> GetVitalSigns()
    {
        var (counters, reasons) = calculator.FromChildren(children.State.Children.Values);
        return Task.FromResult(calculator.Signs(Area(), counters, reasons, time.GetUtcNow()));
    }

    public Task<IReadOnlyList<VitalSigns>> GetChildren() => Task.FromResult<IReadOnlyList<VitalSigns>>(
        children.State.Children.Values.OrderBy(c => c.Area.Code, StringComparer.Ordinal).Select(c => calculator.Signs(c.Area, c.Counters, c.Reasons, c.At)).ToList());

    /// <summary>
    /// Takes note only: the children are saved when the area publishes, once an interval at most. A street hears
    /// from hundreds of grids, and saving all their summaries on each one cost a serialization of them all per call
    /// (a street of 800 grids could not keep up with the city being filed). What is lost in a crash is what its
    /// children send again.
    /// </summary>
    public Task OnSummary(AreaSummary item)
    {
        children.State.Children[item.Area.Code] = item;
        _childrenUnsaved = true;
        return Throttle.ChangedAsync();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_childrenUnsaved)
        {
            await SaveChildrenAsync();
        }
        // Saved now, not within the window: the next activation may be on another silo (HotState).
        await HotState.FlushAsync(this);
    }

    public Task PublishNow() => Throttle.PublishAsync();

    private async Task PublishSignsAsync()
    {
        if (_childrenUnsaved)
        {
            await SaveChildrenAsync();
        }
        var (counters, reasons) = calculator.FromChildren(children.State.Children.Values);
        await TreePublisher.PublishAsync(GrainFactory, calculator, Area(), counters, reasons, time.GetUtcNow(), trend, options);
    }

    private async Task SaveChildrenAsync()
    {
        _childrenUnsaved = false;
        await children.WriteStateAsync();
    }

    public Task<IReadOnlyList<VitalSignsSample>> GetTrend() => Task.FromResult<IReadOnlyList<VitalSignsSample>>(trend.State.Samples.ToList());

    private AreaDefinition Area() => definition.State.Definition
        ?? new AreaDefinition(this.GetPrimaryKeyString(), this.GetPrimaryKeyString(), this.GetPrimaryKeyString() == IAreaGrain.CityCode ? AreaLevel.City : AreaLevel.Street, null, []);
}

public sealed class AreaChildrenState
{
    public Dictionary<string, AreaSummary> Children { get; set; } = [];
}
