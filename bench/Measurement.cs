using System.Diagnostics;

namespace CityOps.Twin.Bench;

/// <summary>
/// Runs a measured body for several rounds and keeps the median: on a shared two-core machine single
/// rounds wander, the median of several does much less. The body returns how many operations it did.
/// </summary>
internal static class Measurement
{
    public static async Task<double> MedianRateAsync(int rounds, Func<Task<long>> body)
    {
        var rates = new List<double>(rounds);
        for (var round = 0; round < rounds; round++)
        {
            var started = Stopwatch.GetTimestamp();
            var operations = await body();
            rates.Add(operations / Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        rates.Sort();
        return rates[rates.Count / 2];
    }

    public static void Report(string name, double value, string unit) =>
        Console.WriteLine($"{name}: {value.ToString(value >= 100 ? "N0" : "N2", System.Globalization.CultureInfo.InvariantCulture)} {unit}");

    public static void Ratio(string name, double value, double baseline) =>
        Console.WriteLine($"{name}: {(value / baseline).ToString("N3", System.Globalization.CultureInfo.InvariantCulture)} ratio");
}
