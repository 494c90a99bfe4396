using System.Globalization;
using CityOps.Twin.Web.Text;

namespace CityOps.Twin.Web.History;

/// <summary>The ranges a plot offers: the last 12 or 24 hours, 7 or 30 days up to now, or a span a person chose.</summary>
public enum RangeChoice
{
    Hours12,
    Hours24,
    Days7,
    Days30,
    Span,
}

/// <summary>A range to plot: one of the last few hours or days (read again as time goes on), or a chosen span.</summary>
public sealed record HistoryRange(RangeChoice Choice, DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>
    /// The longest span a person may choose: the readings' retention (History:ReadingDays' default); an hourly plot of it
    /// is 9,600 hours, within the most one answer holds (History:MaxRows, 10,000).
    /// </summary>
    public static readonly TimeSpan LongestSpan = TimeSpan.FromDays(400);

    /// <summary>The form a datetime-local input gives and takes (minutes; seconds are accepted too).</summary>
    public const string InputFormat = "yyyy-MM-ddTHH:mm";

    /// <summary>Whether the range ends now and moves with the clock.</summary>
    public bool Moving => Choice != RangeChoice.Span;

    public TimeSpan Length => To - From;

    public static TimeSpan LengthOf(RangeChoice choice) => choice switch
    {
        RangeChoice.Hours12 => TimeSpan.FromHours(12),
        RangeChoice.Hours24 => TimeSpan.FromHours(24),
        RangeChoice.Days7 => TimeSpan.FromDays(7),
        RangeChoice.Days30 => TimeSpan.FromDays(30),
        _ => throw new ArgumentOutOfRangeException(nameof(choice), choice, "a chosen span has no fixed length"),
    };

    /// <summary>The last 12 h, 24 h, 7 d or 30 d up to now.</summary>
    public static HistoryRange Last(RangeChoice choice, DateTimeOffset now) => new(choice, now - LengthOf(choice), now);

    /// <summary>The same choice up to a later now (a chosen span stays as it is).</summary>
    public HistoryRange At(DateTimeOffset now) => Moving ? Last(Choice, now) : this;

    /// <summary>A time as a datetime-local input shows it: city time, to the minute.</summary>
    public static string InputText(DateTimeOffset at) => at.ToOffset(UiText.CityOffset).ToString(InputFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// The span between two datetime-local inputs read in city time (Asia/Shanghai, +08:00), or what is wrong with them
    /// in the view's language: a time missing or not a date and time, from not before to, or longer than <see cref="LongestSpan"/>.
    /// </summary>
    public static HistoryRange? Span(string? fromText, string? toText, UiText text, out string? problem)
    {
        var fromProblem = Time(fromText, text["开始时间"], text, out var from);
        var toProblem = Time(toText, text["结束时间"], text, out var to);
        problem = fromProblem ?? toProblem;
        if (problem is not null)
        {
            return null;
        }
        if (from >= to)
        {
            problem = $"{text["开始时间须早于结束时间"]}: {text["开始"]} {InputText(from).Replace('T', ' ')}, {text["结束"]} {InputText(to).Replace('T', ' ')}";
            return null;
        }
        if (to - from > LongestSpan)
        {
            problem = $"{text["所选时段过长"]}: {(to - from).TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} {text["天"]}; {text["最长"]} {LongestSpan.TotalDays} {text["天"]}";
            return null;
        }
        return new HistoryRange(RangeChoice.Span, from, to);
    }

    private static string? Time(string? input, string name, UiText text, out DateTimeOffset at)
    {
        at = default;
        if (string.IsNullOrWhiteSpace(input))
        {
            return $"{text["请填写"]}{(text.English ? " " : "")}{name}";
        }
        if (!DateTime.TryParseExact(input.Trim(), [InputFormat, "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFF"], CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local))
        {
            return $"{name} '{input}' {text["不是日期时间"]} (2026-12-01T08:00)";
        }
        at = new DateTimeOffset(local, UiText.CityOffset);
        return null;
    }
}
