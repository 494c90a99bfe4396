using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Signs;
using CityOps.Twin.Grains.Tests.Support;

namespace CityOps.Twin.Grains.Tests.Signs;

/// <summary>The trend behind the big screen's plots: one sample per interval, the latest value in it, nothing older than the retention.</summary>
public sealed class VitalSignsTrendTests
{
    private static readonly VitalSignsOptions Options = VitalSignsOptions.Default;
    private static readonly GeoPoint Xuhui = new(121.437, 31.188);

    private static async Task<(IGridGrain Grid, ISensorGrain Sensor)> GridWithSensorAsync(TwinSilo silo)
    {
        var grid = silo.Grain<IGridGrain>("G1");
        await grid.Define(new AreaDefinition("G1", "网格 G1", AreaLevel.Grid, "S1", [], Team: "徐汇城运一组"));
        var sensor = silo.Grain<ISensorGrain>("W1");
        await sensor.File(new SensorFile("W1", SensorKind.Waterlogging, "积水点 W1", Xuhui, "G1"));
        return (grid, sensor);
    }

    [Fact]
    public async Task A_grid_keeps_one_sample_per_interval_holding_the_latest_signs_of_it()
    {
        await using var silo = await TwinSilo.StartAsync();
        var (grid, sensor) = await GridWithSensorAsync(silo);
        await sensor.Record(new SensorReading("W1", silo.Time.GetUtcNow(), 2));
        await silo.SettleAsync();
        await grid.PublishNow();
        var dry = Assert.Single(await grid.GetTrend());

        // Same interval, now flooded: the sample is replaced, not added.
        await sensor.Record(new SensorReading("W1", silo.Time.GetUtcNow().AddSeconds(1), 45));
        await silo.SettleAsync();
        await grid.PublishNow();
        var flooded = Assert.Single(await grid.GetTrend());
        Assert.True(flooded.Flood < dry.Flood, $"flooded {flooded.Flood} should be below dry {dry.Flood}");
        Assert.Equal((await grid.GetVitalSigns()).Flood, flooded.Flood);

        await silo.AdvanceAsync(Options.TrendInterval);
        await grid.PublishNow();
        var trend = await grid.GetTrend();
        Assert.Equal(2, trend.Count);
        Assert.Equal(flooded, trend[0]);
        Assert.True(trend[1].At - trend[0].At >= Options.TrendInterval);
    }

    [Fact]
    public async Task Samples_older_than_the_retention_are_dropped_from_every_level()
    {
        await using var silo = await TwinSilo.StartAsync();
        var (grid, _) = await GridWithSensorAsync(silo);
        var street = silo.Grain<IAreaGrain>("S1");
        await street.Define(new AreaDefinition("S1", "漕河泾街道", AreaLevel.Street, "D1", []));
        for (var hour = 0; hour < 14; hour++)
        {
            await grid.PublishNow();
            await silo.SettleAsync();
            await street.PublishNow();
            await silo.AdvanceAsync(TimeSpan.FromHours(1));
        }

        foreach (var trend in new[] { await grid.GetTrend(), await street.GetTrend() })
        {
            var newest = trend[^1].At;
            Assert.All(trend, s => Assert.True(newest - s.At <= Options.TrendRetention, $"{s.At} is older than {Options.TrendRetention} before {newest}"));
            Assert.Equal(13, trend.Count);
            Assert.Equal(trend.OrderBy(s => s.At), trend);
        }
    }
}
