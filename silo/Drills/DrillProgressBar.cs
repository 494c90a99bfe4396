using System.Diagnostics;
using System.Globalization;
using CityOps.Twin.Silo.Hosting;
using Spectre.Console;

namespace CityOps.Twin.Silo.Drills;

/// <summary>Where a headless drill stands, for its bar: drill time of the scenario's, events noted, speed (drill seconds per real second).</summary>
public readonly record struct DrillProgressPoint(TimeSpan DrillTime, TimeSpan Duration, int Events, double Speed)
{
    public double Done => Duration <= TimeSpan.Zero ? 1 : DrillTime / Duration;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"drill time {Clock(DrillTime)} of {Clock(Duration)} · {Events:N0} events · {Speed:N0}x");

    private static string Clock(TimeSpan time) => $"{(int)time.TotalHours}:{time.Minutes:00}:{time.Seconds:00}";
}

/// <summary>The headless drill's bar on a terminal (<c>silo drill ...</c>): updated after every minute of drill time.</summary>
public static class DrillProgressBar
{
    /// <summary>Runs the drill under a bar on <paramref name="console"/>.</summary>
    public static Task<DrillReport> RunAsync(IAnsiConsole console, DrillRun run, DrillScenario scenario, double speed) =>
        ShowAsync(console, "drill", async report =>
        {
            var started = Stopwatch.StartNew();
            void Step()
            {
                var drillTime = run.Elapsed;
                report(new DrillProgressPoint(drillTime, scenario.Duration, run.EventCount, drillTime.TotalSeconds / Math.Max(started.Elapsed.TotalSeconds, 0.001)));
            }
            run.Stepped += Step;
            try
            {
                return await run.RunAsync(scenario, speed);
            }
            finally
            {
                run.Stepped -= Step;
                Step();
            }
        });

    /// <summary>Runs <paramref name="work"/> under a bar that shows each point it reports (the real time taken is the speed's to tell).</summary>
    public static Task<T> ShowAsync<T>(IAnsiConsole console, string title, Func<Action<DrillProgressPoint>, Task<T>> work) =>
        TerminalProgress.RunAsync(console, title, report => work(point => report(point.Done, point.Describe())), showElapsed: false);
}
