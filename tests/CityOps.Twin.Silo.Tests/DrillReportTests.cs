using System.Text.Json;
using System.Text.RegularExpressions;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Drills;

namespace CityOps.Twin.Silo.Tests;

/// <summary>
/// The after-action report of the late-switch rainstorm drill (one expected action met, one missed): its summary
/// checked against the report's own lists, worked out again here, and its page read as a reader meets it.
/// </summary>
public sealed class DrillReportTests
{
    private static readonly Lazy<CityRegistry> Demo = new(() => new CityRegistry(DemoCity.Build()));

    // One run serves every test of the class: a drill of two hours takes the machine a while.
    private static readonly Lazy<Task<DrillReport>> LateSwitch = new(async () =>
    {
        var scenario = DrillScenarioReader.Load(Path.Combine(AppContext.BaseDirectory, "Drills", "rainstorm-late-switch.yaml"), Demo.Value);
        await using var run = await DrillRun.CreateAsync(Demo.Value, CaseCategoryCatalogue.Default, SensorRulebook.Default, new SwitchoverOptions(), scenario.Start);
        return await run.RunAsync(scenario, speed: 0);
    });

    /// <summary>The nearest-rank percentile, as a statistics text states it: the value at rank ⌈p·n⌉ of the sorted values.</summary>
    private static TimeSpan? Percentile(IEnumerable<TimeSpan?> values, double p)
    {
        var sorted = values.Where(v => v is not null).Select(v => v!.Value).OrderBy(v => v).ToArray();
        return sorted.Length == 0 ? null : sorted[(int)Math.Ceiling(p * sorted.Length) - 1];
    }

    [Fact]
    public async Task The_summary_counts_the_expected_actions_alarms_and_cases_of_the_reports_own_lists()
    {
        var report = await LateSwitch.Value;
        var summary = report.Summary!;

        Assert.Equal((1, 1), (summary.ExpectedMet, summary.ExpectedMissed));
        Assert.Equal((report.Expected.Count(e => e.Met), report.Expected.Count(e => !e.Met)), (summary.ExpectedMet, summary.ExpectedMissed));

        var alarms = report.Timeline.Where(e => e.Kind == "alarm").ToList();
        Assert.NotEmpty(alarms);
        Assert.Equal(alarms.Count, summary.Alarms);
        Assert.Equal(
            alarms.GroupBy(e => Demo.Value.Sensors[e.Reference!].Kind.ToString())
                .Select(g => (g.Key, g.Select(e => e.Reference).Distinct().Count(), g.Count(e => e.What.Contains(" None → ", StringComparison.Ordinal)), g.Count()))
                .OrderBy(k => k.Key),
            summary.AlarmsByKind.Select(k => (k.Kind, k.Sensors, k.Raised, k.Changes)).OrderBy(k => k.Kind));
        // WL-00100 went up to red once the commander switched (emergency thresholds).
        Assert.Equal(AlarmLevel.Red, summary.AlarmsByKind.Single(k => k.Kind == "Waterlogging").Highest);

        Assert.Equal(report.Cases.Count, summary.Cases);
        Assert.Equal(report.Cases.Count(c => c.Overdue), summary.CasesOverdue);
        Assert.All(report.Cases, c => Assert.NotNull(c.Category));
        Assert.Equal(
            report.Cases.GroupBy(c => (Source: $"{c.Source}", Category: c.Category ?? "")).Select(g => (g.Key.Source, g.Key.Category, g.Count())).Order(),
            summary.CasesByKind.Select(k => (k.Source, k.Category, k.Count)).Order());
        Assert.Contains(summary.CasesByKind, k => k.Source == "Elevator");
        Assert.Contains(summary.CasesByKind, k => k.Source == "Hotline12345" && k.Category == "0401");
    }

    [Fact]
    public async Task The_summary_response_and_closure_percentiles_and_lowest_indices_are_those_of_the_reports_cases_and_samples()
    {
        var report = await LateSwitch.Value;
        var summary = report.Summary!;

        Assert.Equal(
            (report.Cases.Count(c => c.DispatchedAfter is not null), Percentile(report.Cases.Select(c => c.DispatchedAfter), 0.5), Percentile(report.Cases.Select(c => c.DispatchedAfter), 0.9), report.Cases.Max(c => c.DispatchedAfter)),
            (summary.Response.Count, summary.Response.P50, summary.Response.P90, summary.Response.Max));
        Assert.Equal(
            (report.Cases.Count(c => c.ClosedAfter is not null), Percentile(report.Cases.Select(c => c.ClosedAfter), 0.5), Percentile(report.Cases.Select(c => c.ClosedAfter), 0.9), report.Cases.Max(c => c.ClosedAfter)),
            (summary.Closure.Count, summary.Closure.P50, summary.Closure.P90, summary.Closure.Max));
        Assert.True(summary.Response.Count > 0);
        foreach (var kind in summary.CasesByKind)
        {
            var cases = report.Cases.Where(c => c.Source.ToString() == kind.Source && c.Category == kind.Category).ToList();
            Assert.Equal((Percentile(cases.Select(c => c.DispatchedAfter), 0.5), Percentile(cases.Select(c => c.ClosedAfter), 0.9)), (kind.Response.P50, kind.Closure.P90));
        }

        Assert.Equal(report.Indices.Min(s => s.Flood), summary.LowestFlood!.Value);
        Assert.Equal(report.Indices.First(s => s.Flood == summary.LowestFlood.Value).At - report.Start, summary.LowestFlood.At);
        Assert.Equal(report.Indices.Min(s => s.Composite), summary.LowestComposite!.Value);
    }

    [Fact]
    public async Task The_summary_mode_timeline_is_the_reports_switches_at_drill_time_with_who_switched()
    {
        var report = await LateSwitch.Value;

        Assert.Equal(
            report.ModeSwitches.Select(s => (s.At - report.Start, s.To.Operating, s.To.Kind, s.To.Level, s.To.ChangedBy, s.Reason)),
            report.Summary!.Modes.Select(m => (m.At, m.Operating, m.Kind, m.Level, m.By, m.Reason)));
        Assert.Equal(TimeSpan.FromMinutes(35), Assert.Single(report.Summary.Modes).At);
        Assert.Equal(report.Timeline.Count(e => e.Kind == "proposal"), report.Summary.Proposals);
    }

    [Fact]
    public async Task Every_district_is_sampled_with_the_city_each_drill_minute()
    {
        var report = await LateSwitch.Value;

        var districts = Demo.Value.City.Areas.Where(a => a.Level == AreaLevel.District).Select(a => a.Code).Order(StringComparer.Ordinal);
        Assert.Equal(districts, report.Districts!.Select(d => d.Code));
        Assert.All(report.Districts!, d => Assert.Equal(report.Indices.Select(s => s.At), d.Samples.Select(s => s.At)));
        // The flooding point is in one district: its flood index falls, and the city's with it.
        Assert.Contains(report.Districts!, d => d.Samples.Any(s => s.Flood < 100));
    }

    [Fact]
    public async Task The_report_page_opens_with_the_summary_then_plots_on_a_drill_time_axis_with_markers_and_the_long_lists_collapsed()
    {
        var report = await LateSwitch.Value;
        var html = DrillReportWriter.Html(report);

        var summary = html.IndexOf("data-testid=\"report-summary\"", StringComparison.Ordinal);
        var plot = html.IndexOf("<svg", StringComparison.Ordinal);
        Assert.InRange(summary, 0, plot);
        Assert.Contains("<b class=\"met\" data-summary=\"met\">1</b>", html[summary..plot]);
        Assert.Contains($"<b data-summary=\"cases\">{report.Cases.Count}</b>", html[summary..plot]);
        // The expected actions keep the cells the browser tests read, on one line.
        Assert.Matches("data-expected=\"switch-to-III\" data-met=\"false\".*?<td class=\"by\">指挥长</td><td class=\"took\">00:25</td>", html);

        var cityPlot = html[plot..(html.IndexOf("</svg>", plot, StringComparison.Ordinal) + 6)];
        // A two-hour drill: ticks every 10 minutes, labelled in drill time.
        foreach (var tick in new[] { "00:00", "00:10", "01:00", "01:50", "02:00" })
        {
            Assert.Contains($">{tick}</text>", cityPlot);
        }
        Assert.Contains("演练时间 Drill time", cityPlot);
        Assert.Equal(report.Timeline.Count(e => e.Kind == "inject"), Regex.Count(cityPlot, "data-marker=\"inject\""));
        Assert.Equal(report.Timeline.Count(e => e.Kind == "proposal"), Regex.Count(cityPlot, "data-marker=\"proposal\""));
        Assert.Contains("<g data-marker=\"switch\" data-at=\"00:35\">", cityPlot);
        Assert.Contains("<g data-marker=\"inject\" data-at=\"00:30\">", cityPlot);

        var districtPlot = html[html.IndexOf("<svg", plot + 1, StringComparison.Ordinal)..];
        Assert.All(report.Districts!, d => Assert.Contains($"data-district=\"{d.Code}\"", districtPlot));
        Assert.Contains("Flood index by district", html);

        Assert.Contains($"<details data-testid=\"report-cases\"><summary>全部案件 All {report.Cases.Count} cases</summary>", html);
        Assert.Contains("<details data-testid=\"report-timeline\"><summary>", html);
        Assert.DoesNotContain("<details open", html);
        Assert.True(html.IndexOf("report-case-groups", StringComparison.Ordinal) < html.IndexOf("report-cases", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_report_json_holds_the_summary_and_the_districts_indices()
    {
        var report = await LateSwitch.Value;
        var folder = Path.Combine(Path.GetTempPath(), "cityops-drill-tests", Guid.NewGuid().ToString("N"));
        await DrillReportWriter.WriteAsync(report, folder);

        var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "report.json"))).RootElement;
        var summary = json.GetProperty("summary");
        Assert.Equal((1, 1, report.Cases.Count), (summary.GetProperty("expectedMet").GetInt32(), summary.GetProperty("expectedMissed").GetInt32(), summary.GetProperty("cases").GetInt32()));
        Assert.Equal("00:25:00", json.GetProperty("expected")[0].GetProperty("delay").GetString());
        Assert.Equal(report.Summary!.Response.P50?.ToString("c"), summary.GetProperty("response").GetProperty("p50").GetString());
        Assert.Equal("III", summary.GetProperty("modes")[0].GetProperty("level").GetString());
        Assert.Equal(report.Summary.AlarmsByKind.Count, summary.GetProperty("alarmsByKind").GetArrayLength());
        Assert.Equal(report.Districts!.Count, json.GetProperty("districts").GetArrayLength());
        Assert.Equal(report.Indices.Count, json.GetProperty("districts")[0].GetProperty("samples").GetArrayLength());
        Assert.NotNull(json.GetProperty("cases")[0].GetProperty("category").GetString());
    }

    [Fact]
    public void Step_time_percentiles_are_nearest_rank_over_the_cases_that_took_the_step()
    {
        var random = new Random(15);
        for (var trial = 0; trial < 500; trial++)
        {
            var times = Enumerable.Range(0, random.Next(0, 40))
                .Select(_ => random.Next(4) == 0 ? (TimeSpan?)null : TimeSpan.FromMinutes(random.Next(0, 300))).ToList();
            var taken = times.Where(t => t is not null).Select(t => t!.Value).ToList();

            var step = StepTimes.Of(times);

            Assert.Equal(taken.Count, step.Count);
            if (taken.Count == 0)
            {
                Assert.True(step is { P50: null, P90: null, Max: null });
                continue;
            }
            foreach (var (share, value) in new[] { (0.5, step.P50!.Value), (0.9, step.P90!.Value) })
            {
                // At least that share of the cases took no longer, and fewer took less.
                var rank = (int)Math.Ceiling(share * taken.Count);
                Assert.True(taken.Count(t => t <= value) >= rank);
                Assert.True(taken.Count(t => t < value) < rank);
            }
            Assert.Equal(taken.Max(), step.Max);
        }
    }
}
