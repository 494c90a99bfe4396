using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// Writes the after-action report as report.json (the data) and report.html (the same, to read and print): a summary
/// on one screen first, then the plots, the cases by kind, and the full lists collapsed.
/// </summary>
public static class DrillReportWriter
{
    /// <summary>The case kinds the summary lists, the most cases first, so it stays on one screen; the cases' section lists them all.</summary>
    private const int SummaryCaseKinds = 6;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static async Task WriteAsync(DrillReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(report, Json));
        await File.WriteAllTextAsync(Path.Combine(folder, "report.html"), Html(report));
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A drill time or a duration as HH:MM (hours beyond a day keep counting).</summary>
    internal static string T(TimeSpan? at) => at is { } t ? $"{(int)t.TotalHours:D2}:{t.Minutes:D2}" : "—";

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Played(bool? byPeople) => byPeople == true ? "真人 people" : "脚本 scripted";

    private static string Mode(OperatingMode operating, EmergencyKind? kind, ResponseLevel? level) =>
        operating == OperatingMode.Emergency ? $"{kind} {level} 级响应" : "平时 Normal";

    private static string Times(StepTimes times, string cell = "td") =>
        $"<{cell} class=\"num\">{times.Count}</{cell}><{cell}>{T(times.P50)}</{cell}><{cell}>{T(times.P90)}</{cell}><{cell}>{T(times.Max)}</{cell}>";

    public static string Html(DrillReport report)
    {
        var summary = report.Summary ?? DrillSummary.Of(report, _ => null);
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="zh-Hans"><head><meta charset="utf-8"><title>演练评估报告 {{E(report.Name)}}</title>
            <style>
            body{font-family:"Noto Sans CJK SC",sans-serif;margin:1rem 2rem;color:#14202e;font-size:14px} .exercise{background:#b42318;color:#fff;font-weight:700;padding:.3rem 1rem;display:inline-block;letter-spacing:.2em;margin:0}
            h1{font-size:1.4rem;margin:.4rem 0} h2{font-size:1.1rem;margin:1.2rem 0 .3rem} .meta{margin:.2rem 0 .6rem;color:#3d4b5c}
            table{border-collapse:collapse;margin:.3rem 0 1rem} td,th{border:1px solid #ccd5e0;padding:.15rem .45rem;text-align:left} th{background:#eef2f7;font-weight:600}
            .met{color:#1a7f37;font-weight:700} .missed{color:#b42318;font-weight:700} td.num,th.num{text-align:right}
            .summary{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:0 1.5rem;border:2px solid #14202e;padding:.4rem 1rem .2rem}
            .summary h2{margin:.5rem 0 .2rem} .summary table{font-size:.8rem;margin:.2rem 0 .4rem} .summary .wide{grid-column:span 2}
            .figures{grid-column:1/-1;display:flex;flex-wrap:wrap;gap:.3rem 1.6rem;margin:.3rem 0} .figures b{font-size:1.3rem}
            td.why{max-width:16rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
            svg{background:#f6f8fb;border:1px solid #ccd5e0;max-width:100%;height:auto} .legend span{margin-right:1rem;white-space:nowrap}
            details{margin:.3rem 0} summary{cursor:pointer} pre{white-space:pre-wrap;font-size:.8rem}
            </style></head><body>
            <p class="exercise">EXERCISE · 演练</p>
            <h1>演练评估报告 After-action report: {{E(report.Name)}}</h1>
            <p class="meta">场景开始 Scenario start {{report.Start:yyyy-MM-dd HH:mm zzz}} · 时长 Duration {{T(report.Duration)}} · 倍速 Speed {{(report.Speed == 0 ? "max" : report.Speed.ToString(CultureInfo.InvariantCulture) + "×")}}
            · 指挥长 Commander {{Played(report.Players?.CommanderByPeople)}} · 值班员 Operators {{Played(report.Players?.OperatorsByPeople)}}</p>
            """);
        Summary(html, report, summary);
        Plots(html, report);
        Cases(html, report, summary);
        // Every line of the timeline, collapsed: a storm notes thousands of alarms and case steps, which the summary
        // and the cases' section sum up for the reader; the list is there to look one up.
        html.Append($"<h2>时间线 Timeline</h2><details data-testid=\"report-timeline\"><summary>全部 All {report.Timeline.Count} 条 events (告警 alarms {report.Timeline.Count(e => e.Kind == "alarm")}, 案件 case steps {report.Timeline.Count(e => e.Kind == "case")})</summary><table><tr><th>时间 At</th><th>类型 Kind</th><th>事件 What</th></tr>");
        foreach (var e in report.Timeline)
        {
            html.Append($"<tr><td>{T(e.At)}</td><td>{e.Kind}</td><td>{E(e.What)}</td></tr>");
        }
        html.Append($"</table></details><h2>CAP 1.2 预警 CAP alerts</h2><details data-testid=\"report-cap\"><summary>全部 All {report.CapAlerts.Count} 条 alerts</summary>");
        foreach (var alert in report.CapAlerts)
        {
            html.Append($"<details><summary>{E(alert.Split("<headline>").ElementAtOrDefault(1)?.Split("</headline>")[0] ?? "alert")}</summary><pre>{E(alert)}</pre></details>");
        }
        html.Append("</details><p class=\"exercise\">EXERCISE · 演练</p></body></html>");
        return html.ToString();
    }

    /// <summary>The report on one screen: the key figures, the expected actions, the mode timeline, alarms and cases by kind, response and closure.</summary>
    private static void Summary(StringBuilder html, DrillReport report, DrillSummary summary)
    {
        html.Append("""<section class="summary" data-testid="report-summary"><div class="figures">""");
        html.Append($"<span>预期行动 Expected actions <b class=\"met\" data-summary=\"met\">{summary.ExpectedMet}</b> 达成 met · <b class=\"missed\" data-summary=\"missed\">{summary.ExpectedMissed}</b> 未达成 missed</span>");
        html.Append($"<span>告警 Alarms <b data-summary=\"alarms\">{summary.Alarms}</b> 次变化 changes, {summary.AlarmsByKind.Sum(k => k.Raised)} 次发出 raised</span>");
        html.Append($"<span>案件 Cases <b data-summary=\"cases\">{summary.Cases}</b>, 超时 overdue {summary.CasesOverdue}</span>");
        html.Append($"<span>派遣 Response p50 <b data-summary=\"response-p50\">{T(summary.Response.P50)}</b> p90 {T(summary.Response.P90)}</span>");
        html.Append($"<span>结案 Closure p50 <b data-summary=\"closure-p50\">{T(summary.Closure.P50)}</b> p90 {T(summary.Closure.P90)}</span>");
        html.Append($"<span>孪生建议 Proposals {summary.Proposals} · 切换 Switches {summary.Modes.Count}</span>");
        if (summary.LowestComposite is { } composite && summary.LowestFlood is { } flood)
        {
            html.Append($"<span>最低 Lowest: 综合 composite {N(composite.Value)} ({T(composite.At)}), 防汛 flood {N(flood.Value)} ({T(flood.At)})</span>");
        }
        html.Append("</div><div class=\"wide\"><h2>预期行动 Expected actions</h2>");
        html.Append("<table data-testid=\"report-expected\"><tr><th>id</th><th>行动 Action</th><th>结果 Result</th><th>执行人 By</th><th>用时 Took</th><th>时限 Within</th><th>说明 Detail</th></tr>");
        foreach (var e in report.Expected)
        {
            html.Append($"<tr data-expected=\"{E(e.Id)}\" data-met=\"{(e.Met ? "true" : "false")}\"><td>{E(e.Id)}</td><td>{e.Action}</td><td class=\"{(e.Met ? "met" : "missed")}\">{(e.Met ? "达成 met" : "未达成 missed")}</td><td class=\"by\">{E(e.By ?? "—")}</td><td class=\"took\">{T(e.Delay)}</td><td>{T(e.Within)}</td><td>{E(e.Detail)}</td></tr>");
        }
        html.Append("</table></div><div><h2>平急切换 Mode switches</h2><table data-testid=\"report-modes\"><tr><th>时间 At</th><th>至 To</th><th>指挥员 By</th><th>原因 Why</th></tr>");
        foreach (var m in summary.Modes)
        {
            html.Append($"<tr data-mode-at=\"{T(m.At)}\"><td>{T(m.At)}</td><td>{E(Mode(m.Operating, m.Kind, m.Level))}</td><td>{E(m.By)}</td><td class=\"why\" title=\"{E(m.Reason)}\">{E(m.Reason)}</td></tr>");
        }
        if (summary.Modes.Count == 0)
        {
            html.Append("<tr><td colspan=\"4\">没有切换 No switch</td></tr>");
        }
        html.Append("</table></div><div><h2>告警 Alarms by sensor kind</h2><table data-testid=\"report-alarms\"><tr><th>类型 Kind</th><th class=\"num\">传感器 Sensors</th><th class=\"num\">发出 Raised</th><th class=\"num\">变化 Changes</th><th>最高 Highest</th></tr>");
        foreach (var k in summary.AlarmsByKind)
        {
            html.Append($"<tr data-alarm-kind=\"{E(k.Kind)}\"><td>{E(k.Kind)}</td><td class=\"num\">{k.Sensors}</td><td class=\"num\">{k.Raised}</td><td class=\"num\">{k.Changes}</td><td>{k.Highest}</td></tr>");
        }
        html.Append("</table></div><div><h2>案件 Cases by kind</h2><table data-testid=\"report-case-kinds\"><tr><th>来源 Source</th><th>类别 Category</th><th class=\"num\">件数 Cases</th><th class=\"num\">超时 Overdue</th></tr>");
        foreach (var k in summary.CasesByKind.Take(SummaryCaseKinds))
        {
            html.Append($"<tr><td>{E(k.Source)}</td><td>{E(k.Category)}</td><td class=\"num\">{k.Count}</td><td class=\"num\">{k.Overdue}</td></tr>");
        }
        if (summary.CasesByKind.Count > SummaryCaseKinds)
        {
            html.Append($"<tr><td colspan=\"4\">另有 {summary.CasesByKind.Count - SummaryCaseKinds} 类 more kinds below</td></tr>");
        }
        html.Append("</table></div><div><h2>响应与结案 Response and closure</h2><table data-testid=\"report-percentiles\"><tr><th></th><th class=\"num\">件数 n</th><th>p50</th><th>p90</th><th>最长 max</th></tr>");
        html.Append($"<tr data-times=\"response\"><td>上报→派遣 Report→dispatch</td>{Times(summary.Response)}</tr><tr data-times=\"closure\"><td>上报→结案 Report→closed</td>{Times(summary.Closure)}</tr>");
        html.Append("</table></div></section>");
    }

    /// <summary>The city's indices and each district's flood index over drill time, marked where injects, proposals and switches happened.</summary>
    private static void Plots(StringBuilder html, DrillReport report)
    {
        var markers = report.Timeline.Where(e => e.Kind is "inject" or "proposal")
            .Select(e => new DrillReportPlot.Marker(e.At, e.Kind, e.What))
            .Concat(report.ModeSwitches.Select(s => new DrillReportPlot.Marker(s.At - report.Start, "switch", $"{s.To.ChangedBy}: {Mode(s.To.Operating, s.To.Kind, s.To.Level)} ({s.Reason})",
                s.To.IsEmergency ? $"{s.To.Level}" : "平时")))
            .ToList();
        List<(TimeSpan, double)> Points(IEnumerable<VitalSignsSample> samples, Func<VitalSignsSample, double> index) => [.. samples.Select(s => (s.At - report.Start, index(s)))];
        var indices = new (string Name, string Colour, Func<VitalSignsSample, double> Index)[]
        {
            ("综合 Composite", "#14202e", s => s.Composite), ("防汛 Flood", "#1f6feb", s => s.Flood), ("安全 Safety", "#d97706", s => s.Safety),
            ("设施 Infrastructure", "#7c3aed", s => s.Infrastructure), ("案件 Cases", "#16a34a", s => s.CaseHandling),
        };
        html.Append("<h2>生命体征 Indices over time</h2>");
        html.Append(DrillReportPlot.Svg("indices", report.Duration, [.. indices.Select(i => new DrillReportPlot.Line(i.Name, i.Colour, Points(report.Indices, i.Index)))], markers));
        html.Append($"<p class=\"legend\">{string.Concat(indices.Select(i => $"<span style=\"color:{i.Colour}\">━ {i.Name}</span>"))}{MarkerLegend}</p>");
        var districts = report.Districts ?? [];
        if (districts.Count == 0)
        {
            return;
        }
        var lines = districts.Select((d, i) => new DrillReportPlot.Line($"{d.Name} {d.Code}", DistrictColours[i % DistrictColours.Length], Points(d.Samples, s => s.Flood), District: d.Code))
            .Append(new DrillReportPlot.Line("全市 City", "#14202e", Points(report.Indices, s => s.Flood), Width: 1.5, Dash: "6 4")).ToList();
        html.Append("<h2>分区防汛指数 Flood index by district</h2>");
        html.Append(DrillReportPlot.Svg("flood by district", report.Duration, lines, markers));
        html.Append($"<p class=\"legend\">{string.Concat(lines.Select(l => $"<span style=\"color:{l.Colour}\">{(l.Dash is null ? "━" : "╍")} {E(l.Name)}</span>"))}{MarkerLegend}</p>");
    }

    private static readonly string MarkerLegend =
        $"<span style=\"color:{DrillReportPlot.InjectColour}\">▼ 注入 inject</span><span style=\"color:{DrillReportPlot.ProposalColour}\">◆ 孪生建议 proposal</span><span style=\"color:{DrillReportPlot.SwitchColour}\">│ 切换 switch (级别 level)</span>";

    /// <summary>Distinct colours for up to 16 districts (a real city's count); a larger city reuses them in turn.</summary>
    private static readonly string[] DistrictColours =
        ["#1f6feb", "#d97706", "#16a34a", "#b42318", "#7c3aed", "#0e7490", "#c026d3", "#65a30d", "#ea580c", "#1e3a8a", "#9333ea", "#0891b2", "#ca8a04", "#be123c", "#4f46e5", "#059669"];

    /// <summary>Cases grouped by source and category with their counts and times, then every case, collapsed.</summary>
    private static void Cases(StringBuilder html, DrillReport report, DrillSummary summary)
    {
        html.Append("<h2>案件响应与结案 Case response and closure</h2><table data-testid=\"report-case-groups\"><tr><th>来源 Source</th><th>类别 Category</th><th class=\"num\">件数 Cases</th><th class=\"num\">超时 Overdue</th>");
        html.Append("<th class=\"num\">已派遣 Dispatched</th><th>派遣 p50</th><th>派遣 p90</th><th>派遣 max</th><th class=\"num\">已结案 Closed</th><th>结案 p50</th><th>结案 p90</th><th>结案 max</th></tr>");
        foreach (var k in summary.CasesByKind)
        {
            html.Append($"<tr data-case-kind=\"{E(k.Source)} {E(k.Category)}\"><td>{E(k.Source)}</td><td>{E(k.Category)}</td><td class=\"num\">{k.Count}</td><td class=\"num\">{k.Overdue}</td>{Times(k.Response)}{Times(k.Closure)}</tr>");
        }
        html.Append($"<tr><th colspan=\"2\">合计 All</th><th class=\"num\">{summary.Cases}</th><th class=\"num\">{summary.CasesOverdue}</th>{Times(summary.Response, "th")}{Times(summary.Closure, "th")}</tr></table>");
        html.Append($"<details data-testid=\"report-cases\"><summary>全部案件 All {report.Cases.Count} cases</summary><table><tr><th>案件 Case</th><th>来源 Source</th><th>类别 Category</th><th>注入 Inject</th><th>开始 Opened</th><th>立案 Registered</th><th>派遣 Dispatched</th><th>结案 Closed</th><th>超时 Overdue</th></tr>");
        foreach (var c in report.Cases)
        {
            html.Append($"<tr><td>{E(c.CaseId)} {E(c.Title)}</td><td>{c.Source}</td><td>{E(c.Category ?? "")}</td><td>{E(c.Inject ?? "")}</td><td>{T(c.OpenedAt)}</td><td>{T(c.RegisteredAfter)}</td><td>{T(c.DispatchedAfter)}</td><td>{T(c.ClosedAfter)}</td><td>{(c.Overdue ? "是 yes" : "")}</td></tr>");
        }
        html.Append("</table></details>");
    }
}
