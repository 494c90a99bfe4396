using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Drills;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Silo.Tests.Support;

namespace CityOps.Twin.Silo.Tests;

/// <summary>
/// The built-in "typhoon and rainstorm meet a spring tide" drill over the whole demo city. Where its alarms must
/// be is worked out here from the real In-Fa track and Wusong series, read and computed by this test's own code
/// with the scenario's documented formulas and the rulebook's thresholds, not by the drill or the grains.
/// </summary>
public sealed class TyphoonTideDrillTests
{
    private static readonly XNamespace Cap = "urn:oasis:names:tc:emergency:cap:1.2";

    private static List<(DateTimeOffset At, double Lat, double Lon)> InFa() =>
        [.. File.ReadLines(SharedData.Path("typhoon-infa-2021", "infa_2106_track.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Where(f => f[3] != "DL")
            .Select(f => (DateTimeOffset.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture)))];

    private static List<(DateTimeOffset At, double Level)> Wusong() =>
        [.. File.ReadLines(SharedData.Path("wusong-tide", "wusong.txt"))
            .Select(l => l.Split('\t'))
            .Where(f => f[1] is not ("None" or "null"))
            .Select(f => (new DateTimeOffset(DateTime.ParseExact(f[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), TimeSpan.FromHours(8)), double.Parse(f[1], CultureInfo.InvariantCulture)))];

    private static double Interpolate(IReadOnlyList<(DateTimeOffset At, double Value)> series, DateTimeOffset at)
    {
        var i = 0;
        while (i < series.Count && series[i].At < at)
        {
            i++;
        }
        if (i == 0 || i == series.Count)
        {
            return series[Math.Min(i, series.Count - 1)].Value;
        }
        var (a, b) = (series[i - 1], series[i]);
        return a.Value + (at - a.At).TotalSeconds / (b.At - a.At).TotalSeconds * (b.Value - a.Value);
    }

    private static double Kilometres(double lat1, double lon1, double lat2, double lon2)
    {
        const double R = 6371.0088;
        var dLat = (lat2 - lat1) * Math.PI / 180;
        var dLon = (lon2 - lon1) * Math.PI / 180;
        var h = Math.Pow(Math.Sin(dLat / 2), 2) + Math.Cos(lat1 * Math.PI / 180) * Math.Cos(lat2 * Math.PI / 180) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * R * Math.Asin(Math.Sqrt(h));
    }

    [Fact]
    public async Task The_built_in_typhoon_and_spring_tide_drill_raises_its_alarms_exactly_where_the_real_series_say_proposes_and_switches()
    {
        var city = new CityRegistry(DemoCity.Build());
        var scenario = TyphoonTideScenario.Build(city, SharedData.Path("wusong-tide", "wusong.txt"));
        await using var run = await DrillRun.CreateAsync(city, CaseCategoryCatalogue.Default, SensorRulebook.Default, new SwitchoverOptions(), scenario.Start);
        var report = await run.RunAsync(scenario, speed: 0);

        // The twin proposed, and the scripted commander switched only after each proposal, up to level III or beyond.
        var proposals = report.Timeline.Where(e => e.Kind == "proposal").ToList();
        Assert.NotEmpty(proposals);
        Assert.NotEmpty(report.ModeSwitches);
        Assert.All(report.ModeSwitches, s => Assert.Contains(proposals, p => p.At <= s.At - scenario.Start));
        Assert.Contains(report.ModeSwitches, s => s.To.Level <= ResponseLevel.III);
        var switchedAt = report.ModeSwitches[0].At - scenario.Start;

        // Where and when each flood sensor first alarms, from the real series: normal thresholds until the first
        // switch (a reading at the switch's own minute is judged before it), emergency ones after, and at the
        // switch itself the latest reading is judged again.
        var track = InFa();
        var centreLat = track.Select(p => (p.At, p.Lat)).ToList();
        var centreLon = track.Select(p => (p.At, p.Lon)).ToList();
        var tidePeak = Wusong().MaxBy(p => p.Level).At;
        var tide = Wusong().Select(p => (At: p.At + (TyphoonTideScenario.TidePeakAt - tidePeak), Value: p.Level)).ToList();
        var rules = SensorRulebook.Default;
        var expected = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var sensor in city.Sensors.Values.Where(s => s.Kind is SensorKind.Rainfall or SensorKind.Waterlogging or SensorKind.RiverLevel or SensorKind.Tide))
        {
            double? latest = null;
            for (var offset = TimeSpan.Zero; offset <= scenario.Duration; offset += TyphoonTideScenario.ReadingInterval)
            {
                if (offset > switchedAt && latest is { } before && before >= rules.For(sensor.Kind, OperatingMode.Emergency).Blue && !expected.ContainsKey(sensor.SensorId))
                {
                    expected[sensor.SensorId] = switchedAt;
                }
                var at = scenario.Start + offset;
                var rain = TyphoonTideScenario.RainPeak * Math.Exp(-Kilometres(sensor.Position.Latitude, sensor.Position.Longitude, Interpolate(centreLat, at), Interpolate(centreLon, at)) / TyphoonTideScenario.RainScale);
                var value = Math.Round(sensor.Kind switch
                {
                    SensorKind.Rainfall => rain,
                    SensorKind.Waterlogging => Math.Max(0, rain - TyphoonTideScenario.DrainCapacity) * TyphoonTideScenario.PondingCmPerMm,
                    SensorKind.RiverLevel => Interpolate(tide, at) - TyphoonTideScenario.RiverBelowTide + TyphoonTideScenario.RiverRisePerMm * rain,
                    _ => Interpolate(tide, at),
                }, 3);
                var mode = offset > switchedAt ? OperatingMode.Emergency : OperatingMode.Normal;
                if (value >= rules.For(sensor.Kind, mode).Blue && !expected.ContainsKey(sensor.SensorId))
                {
                    expected[sensor.SensorId] = offset;
                }
                latest = value;
            }
        }

        var raised = report.Timeline.Where(e => e.Kind == "alarm" && e.What.Contains(" None → ", StringComparison.Ordinal))
            .GroupBy(e => e.Reference!).ToDictionary(g => g.Key, g => g.Min(e => e.At), StringComparer.Ordinal);
        Assert.True(expected.Count > 100, $"only {expected.Count} sensors should alarm: is the storm in the scenario?");
        Assert.Equal(expected.OrderBy(e => e.Key).Select(e => (e.Key, e.Value)), raised.OrderBy(e => e.Key).Select(e => (e.Key, e.Value)));

        // The report holds every section, and its CAP alerts are exercises meeting CAP 1.2.
        Assert.Single(report.Expected);
        Assert.NotEmpty(report.Cases);
        Assert.Equal((int)(scenario.Duration / DrillRun.Step) + 1, report.Indices.Count);
        Assert.Contains(report.Indices, s => s.Flood < 70);
        Assert.Contains(report.CapAlerts, a => a.Contains("防汛应急响应", StringComparison.Ordinal));
        foreach (var alert in report.CapAlerts.Select(XDocument.Parse))
        {
            Assert.Empty(CapSpecification.Problems(alert));
            Assert.Equal("Exercise", alert.Root!.Element(Cap + "status")!.Value);
        }
        // The port onto Orleans (issue 12) keeps the drill's judgement: the same expected actions met, the same
        // alarms, cases and switches as the report the twin's own runtime wrote before it.
        var beforeOrleans = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Drills", "typhoon-tide.before-orleans.json"))).RootElement;
        Assert.Equal(
            beforeOrleans.GetProperty("expected").EnumerateArray().Select(e => (e.GetProperty("id").GetString(), e.GetProperty("met").GetBoolean(), e.GetProperty("delay").GetString())),
            report.Expected.Select(e => ((string?)e.Id, e.Met, e.Delay?.ToString("c", CultureInfo.InvariantCulture))));
        Assert.Equal(beforeOrleans.GetProperty("alarmChanges").GetInt32(), report.Timeline.Count(e => e.Kind == "alarm"));
        Assert.Equal(beforeOrleans.GetProperty("alarmsRaised").GetInt32(), report.Timeline.Count(e => e.Kind == "alarm" && e.What.Contains(" None → ", StringComparison.Ordinal)));
        Assert.Equal(beforeOrleans.GetProperty("cases").GetInt32(), report.Cases.Count);
        Assert.Equal(
            beforeOrleans.GetProperty("modeSwitches").EnumerateArray().Select(s => (DateTimeOffset.Parse(s.GetProperty("at").GetString()!, CultureInfo.InvariantCulture), s.GetProperty("level").GetString())),
            report.ModeSwitches.Select(s => (s.At, s.To.Level?.ToString())));

        var html = DrillReportWriter.Html(report);
        foreach (var section in new[] { "EXERCISE · 演练", "Expected actions", "Mode switches", "Case response and closure", "<svg", "Timeline", "CAP alerts" })
        {
            Assert.Contains(section, html);
        }
        // The page reads as a report: its summary first, the proposals and switches marked on the plots, each
        // district's flood line, and the thousands of cases and timeline lines collapsed.
        Assert.InRange(html.IndexOf("data-testid=\"report-summary\"", StringComparison.Ordinal), 0, html.IndexOf("<svg", StringComparison.Ordinal));
        Assert.Equal((report.Timeline.Count(e => e.Kind == "alarm"), report.Cases.Count, report.ModeSwitches.Count), (report.Summary!.Alarms, report.Summary.Cases, report.Summary.Modes.Count));
        var cityPlot = html[html.IndexOf("<svg", StringComparison.Ordinal)..html.IndexOf("</svg>", StringComparison.Ordinal)];
        Assert.Equal(proposals.Count, System.Text.RegularExpressions.Regex.Count(cityPlot, "data-marker=\"proposal\""));
        Assert.Equal(report.ModeSwitches.Count, System.Text.RegularExpressions.Regex.Count(cityPlot, "data-marker=\"switch\""));
        Assert.Contains(">24:00</text>", cityPlot);
        Assert.Equal(4, report.Districts!.Count);
        Assert.Contains($"<details data-testid=\"report-cases\"><summary>全部案件 All {report.Cases.Count} cases</summary>", html);
    }
}
