using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Runtime;
using CityOps.Twin.Runtime.Streams;

namespace CityOps.Twin.Grains.Signs;

/// <summary>
/// One reduce step of the tree, for grids and areas alike: the summary goes to the parent's stream, the vital
/// signs to the area's own, and into its trend (written when a new trend interval began).
/// </summary>
internal static class TreePublisher
{
    public static async Task PublishAsync(
        IStreamProvider streams, VitalSignsCalculator calculator, AreaDefinition area, AreaCounters counters, IndexReasons reasons, DateTimeOffset now,
        IPersistentState<VitalSignsTrend> trend, VitalSignsOptions options)
    {
        if (area.ParentCode is { } parent)
        {
            await streams.GetStream<AreaSummary>(StreamId.Create(TwinStreams.AreaSummaries, parent)).OnNextAsync(new AreaSummary(area, counters, reasons, now));
        }
        var signs = calculator.Signs(area, counters, reasons, now);
        await streams.GetStream<VitalSigns>(StreamId.Create(TwinStreams.VitalSigns, area.Code)).OnNextAsync(signs);
        if (trend.State.Record(signs, options))
        {
            await trend.WriteStateAsync();
        }
    }
}
