using System.Globalization;
using System.Net;
using System.Text;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// A plot of the report's indices over drill time, as inline SVG: lines of 0-100 indices, a time axis labelled in
/// drill time (HH:MM from the start) and markers for what happened (injects, the twin's proposals, mode switches).
/// </summary>
/// <remarks>
/// Drawn by hand rather than with ScottPlot: ScottPlot renders through SkiaSharp, which would bring a native library
/// into the silo for a few polylines, and gives an SVG of paths where this one keeps what a reader and a test need:
/// text that stays text (Chinese in the page's font), a hover title on every marker and line, and data attributes
/// naming each marker and district. A line's runs of equal values are drawn by their ends only (the same picture),
/// which keeps a day-long drill's plot small.
/// </remarks>
public static class DrillReportPlot
{
    /// <summary>A line of the plot; <paramref name="District"/> names the district it is of, if any.</summary>
    public sealed record Line(string Name, string Colour, IReadOnlyList<(TimeSpan At, double Value)> Points, double Width = 2, string? Dash = null, string? District = null);

    /// <summary>A marker on the time axis: an "inject", a "proposal" or a "switch", with its hover text and a short label for switches.</summary>
    public sealed record Marker(TimeSpan At, string Kind, string Title, string? Label = null);

    public const string InjectColour = "#0e7490";
    public const string ProposalColour = "#c026d3";
    public const string SwitchColour = "#b42318";

    private const double Width = 1100, Height = 320, Left = 44, Right = 16, Top = 36, Bottom = 44;

    /// <summary>The tick steps of the time axis, in minutes: the smallest giving at most <see cref="MostTicks"/> ticks is used.</summary>
    private static readonly int[] TickMinutes = [1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440];

    private const int MostTicks = 13;

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    public static string Svg(string label, TimeSpan duration, IReadOnlyList<Line> lines, IReadOnlyList<Marker> markers)
    {
        var span = duration > TimeSpan.Zero ? duration : DrillRun.Step;
        double X(TimeSpan at) => Left + (Width - Left - Right) * Math.Clamp(at / span, 0, 1);
        double Y(double value) => Top + (Height - Top - Bottom) * (1 - Math.Clamp(value, 0, 100) / 100);
        var bottom = Height - Bottom;
        var svg = new StringBuilder($"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(label)}\" font-size=\"11\">");
        foreach (var level in new[] { 0, 25, 50, 75, 100 })
        {
            svg.Append($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{N(Y(level))}\" y2=\"{N(Y(level))}\" stroke=\"#dde3ea\"/><text x=\"{Left - 4}\" y=\"{N(Y(level) + 4)}\" text-anchor=\"end\">{level}</text>");
        }
        var step = TimeSpan.FromMinutes(TickMinutes.FirstOrDefault(m => span / TimeSpan.FromMinutes(m) <= MostTicks - 1, TickMinutes[^1]));
        svg.Append($"<g class=\"time-axis\"><line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{bottom}\" y2=\"{bottom}\" stroke=\"#14202e\"/>");
        for (var tick = TimeSpan.Zero; tick <= span; tick += step)
        {
            var x = N(X(tick));
            svg.Append($"<line x1=\"{x}\" x2=\"{x}\" y1=\"{Top}\" y2=\"{bottom + 4}\" stroke=\"#eef1f5\"/><text x=\"{x}\" y=\"{bottom + 16}\" text-anchor=\"middle\">{DrillReportWriter.T(tick)}</text>");
        }
        svg.Append($"<text x=\"{N((Left + Width - Right) / 2)}\" y=\"{Height - 6}\" text-anchor=\"middle\">演练时间 Drill time (HH:MM from the start)</text></g>");
        foreach (var line in lines)
        {
            var points = string.Join(' ', Corners(line.Points).Select(p => $"{N(X(p.At))},{N(Y(p.Value))}"));
            svg.Append($"<polyline fill=\"none\" stroke=\"{line.Colour}\" stroke-width=\"{N(line.Width)}\"{(line.Dash is null ? "" : $" stroke-dasharray=\"{line.Dash}\"")}{(line.District is null ? "" : $" data-district=\"{WebUtility.HtmlEncode(line.District)}\"")} points=\"{points}\"><title>{WebUtility.HtmlEncode(line.Name)}</title></polyline>");
        }
        foreach (var marker in markers.OrderBy(m => m.At))
        {
            var x = N(X(marker.At));
            var title = $"<title>{DrillReportWriter.T(marker.At)} {WebUtility.HtmlEncode(marker.Title)}</title>";
            svg.Append($"<g data-marker=\"{marker.Kind}\" data-at=\"{DrillReportWriter.T(marker.At)}\">{title}");
            svg.Append(marker.Kind switch
            {
                "switch" => $"<line x1=\"{x}\" x2=\"{x}\" y1=\"{Top - 11}\" y2=\"{bottom}\" stroke=\"{SwitchColour}\" stroke-width=\"1.5\"/><text x=\"{x}\" y=\"{Top - 15}\" text-anchor=\"middle\" fill=\"{SwitchColour}\" font-weight=\"700\">{WebUtility.HtmlEncode(marker.Label ?? "")}</text>",
                "proposal" => $"<line x1=\"{x}\" x2=\"{x}\" y1=\"{Top}\" y2=\"{bottom}\" stroke=\"{ProposalColour}\" stroke-dasharray=\"2 3\" stroke-opacity=\".6\"/><path d=\"M{x} {Top - 11}l4 4l-4 4l-4 -4z\" fill=\"{ProposalColour}\"/>",
                _ => $"<line x1=\"{x}\" x2=\"{x}\" y1=\"{Top}\" y2=\"{bottom}\" stroke=\"{InjectColour}\" stroke-dasharray=\"4 3\" stroke-opacity=\".6\"/><path d=\"M{N(X(marker.At) - 5)} {Top - 34}h10l-5 8z\" fill=\"{InjectColour}\"/>",
            });
            svg.Append("</g>");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The points where a line bends: of each run of equal values, its first and last.</summary>
    private static IEnumerable<(TimeSpan At, double Value)> Corners(IReadOnlyList<(TimeSpan At, double Value)> points)
    {
        for (var i = 0; i < points.Count; i++)
        {
            if (i == 0 || i == points.Count - 1 || points[i].Value != points[i - 1].Value || points[i].Value != points[i + 1].Value)
            {
                yield return points[i];
            }
        }
    }
}
