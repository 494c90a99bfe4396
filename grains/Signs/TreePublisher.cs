using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Runtime.Streams;

namespace CityOps.Twin.Grains.Signs;

/// <summary>One reduce step of the tree: an area's summary goes to its parent's stream, its vital signs to its own (and are returned).</summary>
internal static class TreePublisher
{
    public static async Task<VitalSigns> PublishAsync(IStreamProvider streams, VitalSignsCalculator calculator, AreaDefinition area, AreaCounters counters, IndexReasons reasons, DateTimeOffset now)
    {
        if (area.ParentCode is { } parent)
        {
            await streams.GetStream<AreaSummary>(StreamId.Create(TwinStreams.AreaSummaries, parent)).OnNextAsync(new AreaSummary(area, counters, reasons, now));
        }
        var signs = calculator.Signs(area, counters, reasons, now);
        await streams.GetStream<VitalSigns>(StreamId.Create(TwinStreams.VitalSigns, area.Code)).OnNextAsync(signs);
        return signs;
    }
}
