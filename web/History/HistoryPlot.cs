using System.Globalization;
using System.Text;

namespace CityOps.Twin.Web.History;

/// <summary>A line of a plot: its points, whether they are buckets (drawn as a band of min and max around the mean), and
/// whether a value holds until the next (vital-sign samples, stored only when they change).</summary>
public sealed record PlotSeries(string Name, string Label, IReadOnlyList<HistoryPoint> Points, TimeSpan? BucketWidth, bool Steps, bool Band);

/// <summary>A level drawn across part of the time axis: a sensor's threshold while it was in force, or the vital signs' bad line.</summary>
public sealed record PlotLevel(double Value, DateTimeOffset From, DateTimeOffset To, string Class, string Label);

/// <summary>A switch on the time axis, with the row its label is written in so that labels of switches close together do not overlap.</summary>
public sealed record PlotMarker(ModeSwitchMark Switch, double X, int Row);

/// <summary>
/// The geometry of a history plot in its SVG's own units: where a time and a value are drawn, the ticks of both axes,
/// and each series as an SVG path (broken where readings stop for a while; buckets as a band of min and max with their
/// mean). A bucket is drawn at its middle. Pure arithmetic, so tests check what is drawn without a browser.
/// </summary>
public sealed class HistoryPlot
{
    public const double Left = 60;
    public const double Right = 16;
    public const double Top = 10;
    public const double Bottom = 28;

    /// <summary>Room a switch's label takes on the time axis before the next switch's label goes a row lower.</summary>
    public const double MarkerLabelWidth = 150;

    /// <summary>Rows of switch labels at most, from the top of the plot down.</summary>
    public const int MarkerRows = 4;

    /// <summary>
    /// Raw readings farther apart than this share of the range, and than <see cref="RawGapIntervals"/> of their usual
    /// interval, are not joined by a line: the sensor was silent. A sensor that reports every few hours stays one line.
    /// </summary>
    public const double RawGapShare = 0.02;

    /// <summary>How many of its usual (median) intervals a sensor must be silent for its line to break.</summary>
    public const int RawGapIntervals = 5;

    public HistoryPlot(double width, double height, DateTimeOffset from, DateTimeOffset to, double low, double high)
    {
        if (to <= from)
        {
            throw new ArgumentException($"the plot's range {from:O} to {to:O} is empty", nameof(to));
        }
        (Width, Height, From, To) = (width, height, from, to);
        (Low, High) = high > low ? (low, high) : (low - 1, low + 1);
    }

    public double Width { get; }
    public double Height { get; }
    public DateTimeOffset From { get; }
    public DateTimeOffset To { get; }
    public double Low { get; }
    public double High { get; }

    /// <summary>
    /// The value scale for a set of values and levels: all of them in view, from 0 unless a value is below it, with a
    /// little room above the highest so the top line is not on the frame.
    /// </summary>
    public static (double Low, double High) ScaleFor(IEnumerable<double> values)
    {
        var all = values.Where(double.IsFinite).ToList();
        if (all.Count == 0)
        {
            return (0, 1);
        }
        var low = Math.Min(all.Min(), 0);
        var high = all.Max();
        return (low, high + (high - low) * 0.08);
    }

    public double X(DateTimeOffset at) => Left + (Width - Left - Right) * Math.Clamp((at - From) / (To - From), 0, 1);

    public double Y(double value) => Top + (Height - Top - Bottom) * (1 - Math.Clamp((value - Low) / (High - Low), 0, 1));

    public double PlotBottom => Height - Bottom;

    public double PlotRight => Width - Right;

    public IReadOnlyList<TimeTick> TimeTicks(int most = 8) => History.TimeTicks.For(From, To, most);

    /// <summary>Round values from Low to High, about <paramref name="about"/> of them (steps of 1, 2, 2.5 or 5 times a power of ten).</summary>
    public IReadOnlyList<double> ValueTicks(int about = 5)
    {
        var rough = (High - Low) / about;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * power).First(s => s >= rough);
        var ticks = new List<double>();
        for (var value = Math.Ceiling(Low / step) * step; value <= High + step * 1e-9; value += step)
        {
            ticks.Add(Math.Round(value / step) * step);
        }
        return ticks;
    }

    /// <summary>Where a point is drawn: a bucket at its middle (clamped to the range), a reading or sample at its time.</summary>
    public DateTimeOffset Centre(HistoryPoint point, TimeSpan? bucketWidth) => bucketWidth is { } width ? point.At + width / 2 : point.At;

    /// <summary>The runs of points joined by a line: a run breaks where a bucket is missing or raw readings stop for a while.</summary>
    public IReadOnlyList<IReadOnlyList<HistoryPoint>> Runs(PlotSeries series)
    {
        var runs = new List<IReadOnlyList<HistoryPoint>>();
        if (series.Points.Count == 0)
        {
            return runs;
        }
        var gap = series.Steps ? TimeSpan.MaxValue
            : series.BucketWidth is { } width ? width * 1.5
            : Max((To - From) * RawGapShare, UsualInterval(series.Points) * RawGapIntervals);
        var run = new List<HistoryPoint> { series.Points[0] };
        foreach (var point in series.Points.Skip(1))
        {
            if (point.At - run[^1].At > gap)
            {
                runs.Add(run);
                run = [];
            }
            run.Add(point);
        }
        runs.Add(run);
        return runs;
    }

    /// <summary>
    /// The series' line as an SVG path: its values (a bucket's mean) joined in each run; a stepped series holds each
    /// value until the next and its last until <paramref name="holdUntil"/>.
    /// </summary>
    public string LinePath(PlotSeries series, DateTimeOffset? holdUntil = null)
    {
        var path = new StringBuilder();
        foreach (var run in Runs(series))
        {
            for (var i = 0; i < run.Count; i++)
            {
                var x = X(Centre(run[i], series.BucketWidth));
                if (i > 0 && series.Steps)
                {
                    Append(path, 'L', x, Y(run[i - 1].Value));
                }
                Append(path, i == 0 ? 'M' : 'L', x, Y(run[i].Value));
            }
            if (series.Steps && holdUntil is { } until)
            {
                Append(path, 'L', X(until), Y(run[^1].Value));
            }
            else if (run.Count == 1)
            {
                // A lone point is a dot's width of line, so it is seen even without its marker.
                Append(path, 'L', X(Centre(run[0], series.BucketWidth)) + 0.01, Y(run[0].Value));
            }
        }
        return path.ToString().TrimEnd();
    }

    /// <summary>The band between each run's minima and maxima as closed SVG shapes (empty for raw readings).</summary>
    public string BandPath(PlotSeries series)
    {
        if (series.BucketWidth is null)
        {
            return "";
        }
        var path = new StringBuilder();
        foreach (var run in Runs(series))
        {
            for (var i = 0; i < run.Count; i++)
            {
                Append(path, i == 0 ? 'M' : 'L', X(Centre(run[i], series.BucketWidth)), Y(run[i].Max));
            }
            for (var i = run.Count - 1; i >= 0; i--)
            {
                Append(path, 'L', X(Centre(run[i], series.BucketWidth)), Y(run[i].Min));
            }
            path.Append("Z ");
        }
        return path.ToString().TrimEnd();
    }

    /// <summary>
    /// The switches within the range, each with the row of its label: the latest first, each in the first row where it
    /// clears the label beside it; a switch with no row left (several within a label's width) is drawn without a label
    /// (row -1; its tooltip still says what it was), so the latest switches are the ones that read.
    /// </summary>
    public IReadOnlyList<PlotMarker> Markers(IEnumerable<ModeSwitchMark> switches)
    {
        var markers = new List<PlotMarker>();
        var lastInRow = new double[MarkerRows];
        Array.Fill(lastInRow, double.PositiveInfinity);
        foreach (var mark in switches.Where(s => s.At >= From && s.At <= To).OrderByDescending(s => s.At))
        {
            var x = X(mark.At);
            var row = Array.FindIndex(lastInRow, last => last - x >= MarkerLabelWidth);
            if (row >= 0)
            {
                lastInRow[row] = x;
            }
            markers.Add(new PlotMarker(mark, x, row));
        }
        markers.Reverse();
        return markers;
    }

    private static TimeSpan UsualInterval(IReadOnlyList<HistoryPoint> points)
    {
        if (points.Count < 2)
        {
            return TimeSpan.Zero;
        }
        var intervals = points.Zip(points.Skip(1), (a, b) => b.At - a.At).Order().ToList();
        return intervals[intervals.Count / 2];
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static void Append(StringBuilder path, char command, double x, double y) =>
        path.Append(command).Append(F(x)).Append(',').Append(F(y)).Append(' ');
}
