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
    /// <summary>
    /// Where the terminal's progress bar is told how far a benchmark got (set by Program on a terminal only): the
    /// fraction of its runs done and what is running, with the previous run's rate.
    /// </summary>
    public static Action<double, string>? Progress { get; set; }

    public static async Task<IReadOnlyDictionary<string, double>> MedianRatesAsync(int rounds, params (string Name, Func<Task<long>> Body)[] variants) =>
        (await RatesAsync(rounds, variants)).ToDictionary(r => r.Key, r => Median([.. r.Value]));

    /// <summary>A stop of the whole process this long (<see cref="MachinePauses"/>) voids a round: it is run again.</summary>
    private static readonly TimeSpan MachinePause = TimeSpan.FromSeconds(5);

    /// <summary>How many times one round is run again for pauses before its figure is kept anyway.</summary>
    private const int RedosForPauses = 2;

    /// <summary>
    /// Each variant's rate in each round, in round order (a round's variants ran one after another). A round during
    /// which the whole process stood still for more than <see cref="MachinePause"/> is run again (at most
    /// <see cref="RedosForPauses"/> times), with a line saying so.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<double>>> RatesAsync(int rounds, params (string Name, Func<Task<long>> Body)[] variants)
    {
        var runs = (rounds + 1) * variants.Length;
        var done = 0;
        var last = "";
        void Show(string what) => Progress?.Invoke((double)done / runs, $"{what}{last}");

        foreach (var (name, body) in variants)
        {
            Show($"warm-up {name}");
            var started = Stopwatch.GetTimestamp();
            var operations = await body();
            done++;
            last = Last(operations, Stopwatch.GetElapsedTime(started));
        }

        var rates = variants.ToDictionary(v => v.Name, _ => new List<double>(rounds));
        using var pauses = new MachinePauses();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, body) in variants)
            {
                for (var attempt = 1; ; attempt++)
                {
                    Show($"round {round + 1}/{rounds} {name}");
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    pauses.Reset();
                    var started = Stopwatch.GetTimestamp();
                    var operations = await body();
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    if (pauses.Longest > MachinePause && attempt <= RedosForPauses)
                    {
                        // Printed, not hidden: the round is run again, and the run says how often it had to.
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  round {round + 1} {name}: the process stood still for {pauses.Longest.TotalSeconds:N1} s (the machine paused); run again"));
                        continue;
                    }
                    rates[name].Add(operations / elapsed.TotalSeconds);
                    done++;
                    last = Last(operations, elapsed);
                    break;
                }
            }
        }
        Show("measured");

        return rates.ToDictionary(r => r.Key, r => (IReadOnlyList<double>)r.Value);
    }

    private static string Last(long operations, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $" · previous run {operations / elapsed.TotalSeconds:N0}/s");

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
