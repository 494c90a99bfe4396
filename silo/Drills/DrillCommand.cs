using System.Globalization;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.History;
using CityOps.Twin.Grains.Mode;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// <c>silo drill &lt;scenario&gt; [--speed N] [--report folder] [--city manifest] [--history-data folder | --history-postgres connection]</c>:
/// runs a whole drill headless against a copy of the city, with the scenario's scripted players, and writes the after-action
/// report. A scenario replaying a recorded span reads it from the silo's history, which it only reads.
/// </summary>
public static class DrillCommand
{
    public const string Usage = "usage: drill <scenario.yaml|json|typhoon-tide> [--tide <Wusong series, for typhoon-tide>] [--speed 1..600, 0 for as fast as possible; default 0] [--report <folder>; default ./drill-report] [--city <manifest.json>] [--history-data <the silo's --data folder> | --history-postgres <connection string>: the recorded history a scenario's sensor-series from-history replays]";

    /// <param name="terminal">Where to draw a progress bar while the drill runs (a terminal); none when null, as when the output is redirected.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Spectre.Console.IAnsiConsole? terminal = null)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            error.WriteLine(Usage);
            return 2;
        }
        var scenarioPath = args[0];
        double speed = 0;
        var reportFolder = Path.GetFullPath("drill-report");
        string? cityManifest = null;
        string? historyFolder = null;
        string? historyConnection = null;
        var tidePath = TyphoonTideScenario.DefaultTidePath();
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--speed" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && (s == 0 || s is >= 1 and <= DrillRun.MaxSpeed):
                    speed = s;
                    i++;
                    break;
                case "--report" when value is not null:
                    reportFolder = Path.GetFullPath(value);
                    i++;
                    break;
                case "--tide" when value is not null:
                    tidePath = value;
                    i++;
                    break;
                case "--city" when value is not null:
                    cityManifest = value;
                    i++;
                    break;
                case "--history-data" when value is not null && historyConnection is null:
                    historyFolder = value;
                    i++;
                    break;
                case "--history-postgres" when value is not null && historyFolder is null:
                    historyConnection = value;
                    i++;
                    break;
                default:
                    error.WriteLine($"cityops-twin drill: '{args[i]} {value}' is not understood. {Usage}");
                    return 2;
            }
        }
        var builtIn = scenarioPath == TyphoonTideScenario.Name;
        if (!builtIn && !File.Exists(scenarioPath))
        {
            error.WriteLine($"cityops-twin drill: no scenario file at {Path.GetFullPath(scenarioPath)}");
            return 2;
        }

        var registry = new CityRegistry(cityManifest is null ? DemoCity.Build() : CityImport.Load(cityManifest));
        if (historyFolder is not null && !File.Exists(Path.Combine(historyFolder, SqliteHistoryStore.FileName)))
        {
            error.WriteLine($"cityops-twin drill: no history at {Path.GetFullPath(Path.Combine(historyFolder, SqliteHistoryStore.FileName))}");
            return 2;
        }
        DrillScenario scenario;
        await using (var history = historyFolder is not null ? new SqliteHistoryStore(historyFolder)
            : historyConnection is not null ? new PostgresHistoryStore(historyConnection)
            : (HistoryStore?)null)
        {
            scenario = builtIn ? TyphoonTideScenario.Build(registry, tidePath)
                : await DrillHistoryReplay.ReadAsync(DrillScenarioReader.Load(scenarioPath, registry), registry, history, "a headless drill reads it only when given --history-data <folder> or --history-postgres <connection>");
        }
        output.WriteLine($"Drill '{scenario.Name}': {scenario.Injects.Count} injects, {scenario.Expected.Count} expected actions, {scenario.Duration} of drill time at {(speed == 0 ? "full" : $"{speed}x")} speed");
        await using var run = await DrillRun.CreateAsync(registry, CaseCategoryCatalogue.Default, SensorRulebook.Default, new SwitchoverOptions(), scenario.Start);
        var report = terminal is null ? await run.RunAsync(scenario, speed) : await DrillProgressBar.RunAsync(terminal, run, scenario, speed);
        await DrillReportWriter.WriteAsync(report, reportFolder);
        foreach (var expected in report.Expected)
        {
            output.WriteLine($"  {(expected.Met ? "met   " : "MISSED")} {expected.Id}: {expected.Action} took {expected.Delay?.ToString() ?? "never"} (within {expected.Within}) {expected.Detail}");
        }
        output.WriteLine($"After-action report: {Path.Combine(reportFolder, "report.html")} (data: report.json)");
        return 0;
    }
}
