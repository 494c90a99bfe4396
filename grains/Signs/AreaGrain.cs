using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Runtime;
using CityOps.Twin.Runtime.Streams;
using CityOps.Twin.Runtime.Timers;

namespace CityOps.Twin.Grains.Signs;

/// <summary>
/// A street, district or the city: keeps its children's latest summaries (they arrive on the "area-summaries"
/// stream of its code) and, when one changed, reports their sum to its parent on the next tick.
/// </summary>
[ImplicitStreamSubscription(TwinStreams.AreaSummaries)]
public sealed class AreaGrain(
    [PersistentState("definition")] IPersistentState<AreaDefinitionState> definition,
    [PersistentState("children", WriteBehind = true)] IPersistentState<AreaChildrenState> children,
    [PersistentState("trend", WriteBehind = true)] IPersistentState<VitalSignsTrend> trend,
    VitalSignsCalculator calculator,
    VitalSignsOptions options) : Grain, IAreaGrain, IAsyncObserver<AreaSummary>
{
    // An area with nothing new costs no turns: no timer runs unless changes wait for their interval.
    private PublishThrottle? _throttle;

    private PublishThrottle Throttle => _throttle ??= new PublishThrottle(
        TimeProvider, options.PublishInterval, due => RegisterGrainTimer(_ => Throttle.PublishAsync(), due, Timeout.InfiniteTimeSpan), PublishSignsAsync);

    public async Task Define(AreaDefinition area)
    {
        var cityWithoutParent = area.Level == AreaLevel.City && area.ParentCode is null;
        var childWithParent = area.Level is AreaLevel.District or AreaLevel.Street && !string.IsNullOrWhiteSpace(area.ParentCode);
        if (area.Code != GetPrimaryKeyString() || !(cityWithoutParent || childWithParent))
        {
            throw new ArgumentException($"Area {GetPrimaryKeyString()}: needs this area's code, level City without a parent or District/Street with one; got {area.Level} {area.Code} under '{area.ParentCode}'.");
        }
        definition.State.Definition = area;
        await definition.WriteStateAsync();
        await Throttle.ChangedAsync();
    }

    public Task<AreaDefinition?> GetDefinition() => Task.FromResult(definition.State.Definition);

    public Task<VitalSigns> GetVitalSigns()
    {
        var (counters, reasons) = calculator.FromChildren(children.State.Children.Values);
        return Task.FromResult(calculator.Signs(Area(), counters, reasons, TimeProvider.GetUtcNow()));
    }

    public Task<IReadOnlyList<VitalSigns>> GetChildren() => Task.FromResult<IReadOnlyList<VitalSigns>>(
        children.State.Children.Values.OrderBy(c => c.Area.Code, StringComparer.Ordinal).Select(c => calculator.Signs(c.Area, c.Counters, c.Reasons, c.At)).ToList());

    public async Task OnNextAsync(AreaSummary item)
    {
        children.State.Children[item.Area.Code] = item;
        await children.WriteStateAsync();
        await Throttle.ChangedAsync();
    }

    public Task PublishNow() => Throttle.PublishAsync();

    private Task PublishSignsAsync()
    {
        var (counters, reasons) = calculator.FromChildren(children.State.Children.Values);
        return TreePublisher.PublishAsync(GetStreamProvider(TwinStreams.Provider), calculator, Area(), counters, reasons, TimeProvider.GetUtcNow(), trend, options);
    }

    public Task<IReadOnlyList<VitalSignsSample>> GetTrend() => Task.FromResult<IReadOnlyList<VitalSignsSample>>([.. trend.State.Samples]);

    private AreaDefinition Area() => definition.State.Definition
        ?? new AreaDefinition(GetPrimaryKeyString(), GetPrimaryKeyString(), GetPrimaryKeyString() == IAreaGrain.CityCode ? AreaLevel.City : AreaLevel.Street, null, []);
}

public sealed class AreaChildrenState
{
    public Dictionary<string, AreaSummary> Children { get; set; } = [];
}
