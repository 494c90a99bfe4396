using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Silo.Drills;

/// <summary>Writes the after-action report as report.json (the data) and report.html (the same, to read and print, with SVG plots).</summary>
public static class DrillReportWriter
{
    private const int TimelineRows = 400;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static async Task WriteAsync(DrillReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(report, Json));
        await File.WriteAllTextAsync(Path.Combine(folder, "report.html"), Html(report));
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string T(TimeSpan? at) => at is { } t ? $"{(int)t.TotalHours:D2}:{t.Minutes:D2}" : "—";

    private static string Played(bool? byPeople) => byPeople == true ? "真人 people" : "脚本 scripted";

    public static string Html(DrillReport report)
    {
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="zh-Hans"><head><meta charset="utf-8"><title>演练评估报告 {{E(report.Name)}}</title>
            <style>
            body{font-family:"Noto Sans CJK SC",sans-serif;margin:2rem;color:#14202e} .exercise{background:#b42318;color:#fff;font-weight:700;padding:.4rem 1rem;display:inline-block;letter-spacing:.2em}
            table{border-collapse:collapse;margin:.5rem 0 1.5rem} td,th{border:1px solid #ccd5e0;padding:.25rem .5rem;text-align:left} .met{color:#1a7f37;font-weight:700} .missed{color:#b42318;font-weight:700}
            svg{background:#f6f8fb;border:1px solid #ccd5e0} details{margin:.3rem 0} pre{white-space:pre-wrap;font-size:.8rem}
            </style></head><body>
            <p class="exercise">EXERCISE · 演练</p>
            <h1>演练评估报告 After-action report: {{E(report.Name)}}</h1>
            <p>场景开始 Scenario start {{report.Start:yyyy-MM-dd HH:mm zzz}} · 时长 Duration {{T(report.Duration)}} · 倍速 Speed {{(report.Speed == 0 ? "max" : report.Speed.ToString(CultureInfo.InvariantCulture) + "×")}}
            · 指挥长 Commander {{Played(report.Players?.CommanderByPeople)}} · 值班员 Operators {{Played(report.Players?.OperatorsByPeople)}}</p>
            <h2>预期行动 Expected actions</h2>
            <table data-testid="report-expected"><tr><th>id</th><th>行动 Action</th><th>结果 Result</th><th>执行人 By</th><th>用时 Took</th><th>时限 Within</th><th>说明 Detail</th></tr>
            """);
        foreach (var e in report.Expected)
        {
            html.Append($"<tr data-expected=\"{E(e.Id)}\" data-met=\"{(e.Met ? "true" : "false")}\"><td>{E(e.Id)}</td><td>{e.Action}</td><td class=\"{(e.Met ? "met" : "missed")}\">{(e.Met ? "达成 met" : "未达成 missed")}</td><td class=\"by\">{E(e.By ?? "—")}</td><td class=\"took\">{T(e.Delay)}</td><td>{T(e.Within)}</td><td>{E(e.Detail)}</td></tr>");
        }
        html.Append("</table><h2>平急切换 Mode switches</h2><table><tr><th>时间 At</th><th>由 From</th><th>至 To</th><th>指挥员 By</th><th>原因 Why</th></tr>");
        foreach (var s in report.ModeSwitches)
        {
            html.Append($"<tr><td>{T(s.At - report.Start)}</td><td>{s.From.Operating} {s.From.Level}</td><td>{s.To.Operating} {s.To.Kind} {s.To.Level}</td><td>{E(s.To.ChangedBy)}</td><td>{E(s.Reason)}</td></tr>");
        }
        html.Append("</table><h2>案件响应与结案 Case response and closure</h2><table><tr><th>案件 Case</th><th>注入 Inject</th><th>开始 Opened</th><th>立案 Registered</th><th>派遣 Dispatched</th><th>结案 Closed</th><th>超时 Overdue</th></tr>");
        foreach (var c in report.Cases)
        {
            html.Append($"<tr><td>{E(c.CaseId)} {E(c.Title)}</td><td>{E(c.Inject ?? "")}</td><td>{T(c.OpenedAt)}</td><td>{T(c.RegisteredAfter)}</td><td>{T(c.DispatchedAfter)}</td><td>{T(c.ClosedAfter)}</td><td>{(c.Overdue ? "是 yes" : "")}</td></tr>");
        }
        html.Append("</table><h2>生命体征 Indices over time</h2>");
        html.Append(Plot(report.Indices, report.Start, report.Duration));
        // A storm raises thousands of alarms and case steps: the page lists every switch, proposal, inject and
        // action, and the first of the rest; report.json holds them all.
        var shown = report.Timeline.Where(e => e.Kind is not ("alarm" or "case")).Concat(report.Timeline.Where(e => e.Kind is "alarm" or "case").Take(TimelineRows)).OrderBy(e => e.At).ToList();
        html.Append($"<h2>时间线 Timeline</h2><p>{shown.Count} / {report.Timeline.Count} (告警 alarms {report.Timeline.Count(e => e.Kind == "alarm")}, 案件 case steps {report.Timeline.Count(e => e.Kind == "case")}; report.json)</p><table><tr><th>时间 At</th><th>类型 Kind</th><th>事件 What</th></tr>");
        foreach (var e in shown)
        {
            html.Append($"<tr><td>{T(e.At)}</td><td>{e.Kind}</td><td>{E(e.What)}</td></tr>");
        }
        html.Append($"</table><h2>CAP 1.2 预警 CAP alerts ({report.CapAlerts.Count})</h2>");
        foreach (var alert in report.CapAlerts)
        {
            html.Append($"<details><summary>{E(alert.Split("<headline>").ElementAtOrDefault(1)?.Split("</headline>")[0] ?? "alert")}</summary><pre>{E(alert)}</pre></details>");
        }
        html.Append("<p class=\"exercise\">EXERCISE · 演练</p></body></html>");
        return html.ToString();
    }

    private static string Plot(IReadOnlyList<VitalSignsSample> samples, DateTimeOffset start, TimeSpan duration)
    {
        const double Width = 900, Height = 260, Left = 40, Bottom = 24, Top = 10;
        string X(DateTimeOffset at) => (Left + (Width - Left - 10) * Math.Clamp((at - start) / duration, 0, 1)).ToString("0.#", CultureInfo.InvariantCulture);
        string Y(double v) => (Top + (Height - Top - Bottom) * (1 - v / 100)).ToString("0.#", CultureInfo.InvariantCulture);
        var svg = new StringBuilder($"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"indices\">");
        foreach (var level in new[] { 0, 25, 50, 75, 100 })
        {
            svg.Append($"<line x1=\"{Left}\" x2=\"{Width - 10}\" y1=\"{Y(level)}\" y2=\"{Y(level)}\" stroke=\"#dde3ea\"/><text x=\"{Left - 4}\" y=\"{Y(level)}\" font-size=\"10\" text-anchor=\"end\">{level}</text>");
        }
        foreach (var (name, colour, value) in new (string, string, Func<VitalSignsSample, double>)[]
        {
            ("综合 Composite", "#14202e", s => s.Composite), ("防汛 Flood", "#1f6feb", s => s.Flood), ("安全 Safety", "#d97706", s => s.Safety),
            ("设施 Infrastructure", "#7c3aed", s => s.Infrastructure), ("案件 Cases", "#16a34a", s => s.CaseHandling),
        })
        {
            svg.Append($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', samples.Select(s => $"{X(s.At)},{Y(value(s))}"))}\"><title>{name}</title></polyline>");
        }
        svg.Append("</svg><p>— 综合 Composite (black) · 防汛 Flood (blue) · 安全 Safety (amber) · 设施 Infrastructure (violet) · 案件 Cases (green)</p>");
        return svg.ToString();
    }
}
