using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Signs;

using CityOps.Twin.Grains.Live;
using CityOps.Twin.Grains.Mode;

namespace CityOps.Twin.Grains.Signs;

/// <summary>
/// One reduce step of the tree, for grids and areas alike: the summary goes to the parent (one-way), the vital
/// signs to every silo's feed, and into the area's trend (written when a new trend interval began).
/// </summary>
internal static class TreePublisher
{
    public static async Task PublishAsync(
        IGrainFactory grains, VitalSignsCalculator calculator, AreaDefinition area, AreaCounters counters, IndexReasons reasons, DateTimeOffset now,
        IPersistentState<VitalSignsTrend> trend, VitalSignsOptions options)
    {
        if (area.ParentCode is { } parent)
        {
            await TwinPublish.SummaryAsync(grains, parent, new AreaSummary(area, counters, reasons, now));
        }
        var signs = calculator.Signs(area, counters, reasons, now);
        await TwinPublish.SignsAsync(grains, signs);
        if (trend.State.Record(signs, options))
        {
            await trend.WriteStateAsync();
        }
    }
}
