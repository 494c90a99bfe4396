using System.Globalization;
using CityOps.Twin.Web.Text;

namespace CityOps.Twin.Web.History;

/// <summary>A labelled time on a plot's time axis; <see cref="DayStart"/> when it is midnight in the city.</summary>
public sealed record TimeTick(DateTimeOffset At, string Label, bool DayStart);

/// <summary>
/// The time axis's ticks for a range, in city time (Asia/Shanghai): the shortest step of a fixed ladder that gives at
/// most a few ticks, each on a whole step of the city's clock (03:00, 06:00...; midnights for days), so a reader sees
/// round times whatever the range. Times of day read HH:mm and a midnight its date MM-dd.
/// A range of <c>most</c> steps exactly, aligned at both ends, gets <c>most - 1</c>.
/// </summary>
public static class TimeTicks
{
    private static readonly TimeSpan[] Ladder =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(3), TimeSpan.FromHours(6),
        TimeSpan.FromHours(12), TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(5), TimeSpan.FromDays(7),
        TimeSpan.FromDays(14), TimeSpan.FromDays(30), TimeSpan.FromDays(60),
    ];

    /// <summary>The step between ticks: the shortest of the ladder giving at most <paramref name="most"/> ticks.</summary>
    public static TimeSpan StepFor(TimeSpan span, int most) => Ladder.FirstOrDefault(step => span / step <= most, Ladder[^1]);

    public static IReadOnlyList<TimeTick> For(DateTimeOffset from, DateTimeOffset to, int most = 8)
    {
        if (to <= from)
        {
            return [];
        }
        var step = StepFor(to - from, most);
        var local = from.ToOffset(UiText.CityOffset);
        var midnight = new DateTimeOffset(local.Date, UiText.CityOffset);
        DateTimeOffset first;
        if (step < TimeSpan.FromDays(1))
        {
            // Every step of the ladder under a day divides the day, so whole steps from midnight are round times.
            var intoDay = local - midnight;
            first = midnight + step * Math.Ceiling(intoDay / step);
        }
        else
        {
            first = midnight < local ? midnight.AddDays(1) : midnight;
        }
        // Ticks inside the range only: one on either end would sit on the plot's edge with its label cut.
        first = first == from ? first + step : first;
        var ticks = new List<TimeTick>();
        for (var at = first; at < to; at += step)
        {
            var city = at.ToOffset(UiText.CityOffset);
            var dayStart = city.TimeOfDay == TimeSpan.Zero;
            var label = dayStart ? city.ToString("MM-dd", CultureInfo.InvariantCulture) : city.ToString("HH:mm", CultureInfo.InvariantCulture);
            ticks.Add(new TimeTick(at, label, dayStart));
        }
        return ticks;
    }
}
