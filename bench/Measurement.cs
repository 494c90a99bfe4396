using System.Diagnostics;
using System.Globalization;

namespace CityOps.Twin.Bench;

/// <summary>
/// Measures variants of one operation against each other. Every variant is warmed up first (JIT tiering),
/// then rounds are interleaved (A B C, A B C, ...) so that drift on a shared machine falls on all variants
/// alike, and each variant's median round is kept. A body returns how many operations it did.
/// </summary>
internal static class Measurement
{
    public static async Task<IReadOnlyDictionary<string, double>> MedianRatesAsync(int rounds, params (string Name, Func<Task<long>> Body)[] variants)
    {
        foreach (var (_, body) in variants)
        {
            await body();
        }

        var rates = variants.ToDictionary(v => v.Name, _ => new List<double>(rounds));
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, body) in variants)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var started = Stopwatch.GetTimestamp();
                var operations = await body();
                rates[name].Add(operations / Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }

        return rates.ToDictionary(r => r.Key, r => Median(r.Value));
    }

    public static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    public static void Report(string name, double value, string unit) =>
        Console.WriteLine($"{name}: {value.ToString(value >= 100 ? "N0" : "N2", CultureInfo.InvariantCulture)} {unit}");

    public static void Ratio(string name, double value, double baseline) =>
        Console.WriteLine($"{name}: {(value / baseline).ToString("N3", CultureInfo.InvariantCulture)} ratio");
}
