using System.Globalization;
using CityOps.Twin.Silo.Tests.Support;

namespace CityOps.Twin.Silo.Tests.History;

/// <summary>One day of the real Wusong tide series (../shared/data/wusong-tide), local times at Shanghai (+08:00), in its own cadence.</summary>
internal static class WusongDay
{
    public static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    public static IReadOnlyList<(DateTimeOffset At, double Value)> Read(DateOnly day) =>
        [.. File.ReadLines(SharedData.Path("wusong-tide", "wusong.txt"))
            .Select(line => line.Split('\t'))
            // A few rows of the scrape have no level ("None", "null"): no reading was taken then.
            .Where(fields => double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            .Select(fields => (At: new DateTimeOffset(DateTime.ParseExact(fields[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Shanghai),
                Value: double.Parse(fields[1], CultureInfo.InvariantCulture)))
            .Where(reading => DateOnly.FromDateTime(reading.At.DateTime) == day)
            .OrderBy(reading => reading.At)];

    /// <summary>The buckets the history should answer, computed here from the series: start, min, max, mean, count.</summary>
    public static IReadOnlyList<(DateTimeOffset Start, double Min, double Max, double Mean, int Count)> Buckets(
        IReadOnlyList<(DateTimeOffset At, double Value)> series, TimeSpan width) =>
        [.. series.GroupBy(r => r.At.UtcTicks / width.Ticks)
            .OrderBy(g => g.Key)
            .Select(g => (new DateTimeOffset(g.Key * width.Ticks, TimeSpan.Zero), g.Min(r => r.Value), g.Max(r => r.Value), g.Average(r => r.Value), g.Count()))];
}
