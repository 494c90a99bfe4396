using System.Globalization;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Tests.Support;

namespace CityOps.Twin.Grains.Tests.Sensors;

/// <summary>The real Wusongkou water-level series (Sept 2023 - June 2024) fed into a tide sensor.</summary>
public sealed class WusongTideTests
{
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    private static IReadOnlyList<SensorReading> Series(string sensorId) =>
        File.ReadLines(SharedData.Path("wusong-tide", "wusong.txt"))
            .Select(line => line.Split('\t'))
            .Where(fields => fields.Length >= 2 && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            .Select(fields => new SensorReading(
                sensorId,
                new DateTimeOffset(DateTime.ParseExact(fields[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), ChinaStandardTime),
                double.Parse(fields[1], CultureInfo.InvariantCulture)))
            .ToList();

    [Fact]
    public async Task The_real_tide_series_opens_exactly_one_case_per_episode_above_the_threshold()
    {
        var readings = Series("wusong");
        // Independently of the grain: Wusong's warning tide level is 4.80 m; blue pre-warns 0.30 m below, and an
        // episode ends when the tide falls 0.10 m below blue.
        const double blue = 4.50;
        const double hysteresis = 0.10;
        const double clearsBelow = blue - hysteresis;
        var expectedStarts = new List<DateTimeOffset>();
        var inEpisode = false;
        foreach (var reading in readings)
        {
            if (!inEpisode && reading.Value >= blue)
            {
                expectedStarts.Add(reading.MeasuredAt);
                inEpisode = true;
            }
            else if (inEpisode && reading.Value < clearsBelow)
            {
                inEpisode = false;
            }
        }
        var tide = SensorRulebook.Default.For(SensorKind.Tide, OperatingMode.Normal);
        Assert.Equal((blue, hysteresis), (tide.Blue, tide.Hysteresis));

        await using var silo = await TwinSilo.StartAsync();
        var sensor = silo.Grain<ISensorGrain>("wusong");
        await sensor.File(new SensorFile("wusong", SensorKind.Tide, "吴淞口潮位站 Wusongkou tide gauge", new GeoPoint(121.37, 31.38), "310113-0001"));
        foreach (var reading in readings)
        {
            Assert.Equal(ReadingOutcome.Applied, await sensor.Record(reading));
        }

        var snapshot = (await sensor.GetSnapshot())!;
        Assert.Equal(7, expectedStarts.Count);
        Assert.Equal(expectedStarts.Count, snapshot.Episodes);
        for (var episode = 1; episode <= expectedStarts.Count; episode++)
        {
            var opened = (await silo.Grain<ICaseGrain>($"S-wusong-{episode:D4}").Get())!;
            Assert.Equal("0403", opened.CategoryCode);
            Assert.Equal(CaseSource.Sensor, opened.Source);
            Assert.Equal("310113-0001", opened.GridCode);
            Assert.Contains(expectedStarts[episode - 1].ToUniversalTime().ToString("u", CultureInfo.InvariantCulture), opened.Description);
        }
        Assert.Null(await silo.Grain<ICaseGrain>($"S-wusong-{expectedStarts.Count + 1:D4}").Get());
    }
}
