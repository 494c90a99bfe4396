using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Grains.Live;

/// <summary>
/// Where a grain's changes go: up the vital-signs tree by one-way calls (a device or case to its grid, a summary to
/// its parent area), and to every silo's feed through the local publisher. All one-way: a grain never waits on the
/// tree above it or on a view.
/// </summary>
internal static class TwinPublish
{
    public static Task DeviceAsync(IGrainFactory grains, DeviceState device)
    {
        _ = grains.GetGrain<IGridGrain>(device.GridCode).OnDevice(device);
        return Feed(grains).Publish(TwinChanges.Of(device));
    }

    public static Task CaseAsync(IGrainFactory grains, CaseRecord record)
    {
        _ = grains.GetGrain<IGridGrain>(record.GridCode).OnCase(record);
        return Feed(grains).Publish(TwinChanges.Of(record));
    }

    public static Task AlarmAsync(IGrainFactory grains, SensorAlarmChanged alarm) => Feed(grains).Publish(TwinChanges.Of(alarm));

    public static Task SignsAsync(IGrainFactory grains, VitalSigns signs) => Feed(grains).Publish(TwinChanges.Of(signs));

    public static Task ModeAsync(IGrainFactory grains, ModeChange change) => Feed(grains).Publish(TwinChanges.Of(change));

    public static Task SummaryAsync(IGrainFactory grains, string parent, AreaSummary summary) => grains.GetGrain<IAreaGrain>(parent).OnSummary(summary);

    private static ITwinFeedPublisherGrain Feed(IGrainFactory grains) => grains.GetGrain<ITwinFeedPublisherGrain>(ITwinFeedPublisherGrain.Key);
}
