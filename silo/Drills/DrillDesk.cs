using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Hosting;
using CityOps.Twin.Grains.Mode;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// The silo's drill desk: runs one drill at a time in the background against its own copy of the city, keeps
/// its status for the drill page, and keeps the last after-action report (also written under the data folder).
/// </summary>
public sealed class DrillDesk(
    CityRegistry registry, CaseCategoryCatalogue categories, SensorRulebook rules, IOptions<SwitchoverOptions> switchover,
    SiloSettings settings, IConfiguration configuration, ILogger<DrillDesk> logger) : IDrillDesk, IAsyncDisposable
{
    /// <summary>The built-in scenarios, shipped beside the silo.</summary>
    public static readonly string BuiltInFolder = Path.Combine(AppContext.BaseDirectory, "Drills", "Scenarios");

    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private DrillRun? _run;
    private Task? _running;
    private DrillStatus? _status;
    private string? _report;
    private string? _failure;

    private string DrillsFolder => Path.Combine(settings.DataFolder, "drills");

    public IReadOnlyList<string> Scenarios => [.. (File.Exists(TidePath) ? [TyphoonTideScenario.Name] : Array.Empty<string>()).Concat(new[] { BuiltInFolder, DrillsFolder }
        .Where(Directory.Exists)
        .SelectMany(folder => Directory.EnumerateFiles(folder, "*.yaml").Concat(Directory.EnumerateFiles(folder, "*.json")))
        .Select(Path.GetFileName)
        .OfType<string>()
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal))];

    private string TidePath => configuration["Drills:TideSeries"] ?? TyphoonTideScenario.DefaultTidePath();

    public DrillStatus? Current => Volatile.Read(ref _status);

    public string? ReportHtml => Volatile.Read(ref _report);

    public event Action? Changed;

    public Task StartAsync(string scenarioName, double speed)
    {
        DrillScenario scenario;
        lock (_lock)
        {
            if (_running is { IsCompleted: false })
            {
                throw new InvalidOperationException($"The drill '{_status?.Name}' is still running; one drill runs at a time.");
            }
            try
            {
                scenario = Read(scenarioName);
            }
            catch (DrillScenarioException exception)
            {
                throw new InvalidOperationException(exception.Message, exception);
            }
            _failure = null;
            Volatile.Write(ref _status, new DrillStatus(scenario.Name, TimeSpan.Zero, scenario.Duration, speed, false, false, "Normal", 0, 0,
                [new DrillLine(TimeSpan.Zero, "drill", "正在准备城市副本 Filing the drill's copy of the city")], [], null, Preparing: true));
            // Filing the copy takes a few seconds: the page shows the drill preparing meanwhile.
            _running = Task.Run(() => PrepareAndRunAsync(scenario, speed));
        }
        Changed?.Invoke();
        return Task.CompletedTask;
    }

    private DrillScenario Read(string scenarioName)
    {
        if (scenarioName == TyphoonTideScenario.Name)
        {
            return TyphoonTideScenario.Build(registry, TidePath);
        }
        var path = new[] { BuiltInFolder, DrillsFolder }.Select(f => Path.Combine(f, Path.GetFileName(scenarioName))).FirstOrDefault(File.Exists)
            ?? throw new DrillScenarioException($"There is no scenario '{scenarioName}'; the scenarios are: {string.Join(", ", Scenarios)}.");
        return DrillScenarioReader.Load(path, registry);
    }

    private async Task PrepareAndRunAsync(DrillScenario scenario, double speed)
    {
        DrillRun run;
        try
        {
            run = await DrillRun.CreateAsync(registry, categories, rules, switchover.Value, scenario.Start, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        run.Stepped += () => Publish(run);
        _run = run;
        await RunAsync(run, scenario, speed);
    }

    private async Task RunAsync(DrillRun run, DrillScenario scenario, double speed)
    {
        try
        {
            var report = await run.RunAsync(scenario, speed, _stopping.Token);
            var folder = Path.Combine(DrillsFolder, "reports", $"{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}");
            await DrillReportWriter.WriteAsync(report, folder);
            Volatile.Write(ref _report, DrillReportWriter.Html(report));
            logger.LogInformation("Drill {Drill} finished; report in {Folder}", scenario.Name, folder);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Drill {Drill} failed", scenario.Name);
            _failure = exception.Message;
        }
        Publish(run, finished: true);
        _run = null;
        await run.DisposeAsync();
    }

    public void SetSpeed(double speed)
    {
        if (_run is { } run)
        {
            run.Speed = speed;
            Publish(run);
        }
    }

    public void Pause()
    {
        if (_run is { } run)
        {
            run.Pause();
            Publish(run);
        }
    }

    public void Resume()
    {
        if (_run is { } run)
        {
            run.Resume();
            Publish(run);
        }
    }

    public async Task InjectAsync(HandInject inject)
    {
        var run = _run ?? throw new InvalidOperationException("No drill is running.");
        var id = $"hand-{run.Elapsed.TotalMinutes:0}-{inject.Device}";
        var drillInject = inject.Kind switch
        {
            "elevator-trapped" when registry.Elevators.ContainsKey(inject.Device) =>
                new DrillInject(id, run.Elapsed, InjectKind.ElevatorTrapped, inject.Device, [], null, null, null, null, null, 0),
            "sensor-reading" when registry.Sensors.ContainsKey(inject.Device) && inject.Value is { } value && double.IsFinite(value) =>
                new DrillInject(id, run.Elapsed, InjectKind.SensorSeries, inject.Device, [(TimeSpan.Zero, value)], null, null, null, null, null, 0),
            "elevator-trapped" => throw new ArgumentException($"'{inject.Device}' is not an elevator of the city."),
            "sensor-reading" => throw new ArgumentException($"'{inject.Device}' is not a sensor of the city, or the reading has no value."),
            _ => throw new ArgumentException($"'{inject.Kind}' is not a hand inject; use elevator-trapped or sensor-reading."),
        };
        await run.InjectAsync(drillInject);
        Publish(run);
    }

    private void Publish(DrillRun run, bool finished = false)
    {
        if (run.Scenario is not { } scenario)
        {
            return;
        }
        var progress = run.Progress();
        var mode = progress.Mode;
        Volatile.Write(ref _status, new DrillStatus(
            scenario.Name, run.Elapsed, scenario.Duration, run.Speed, run.Paused, finished,
            mode is { IsEmergency: true } ? $"{mode.Kind} {mode.Level}" : "Normal",
            progress.Alarms, progress.Cases,
            [.. progress.Recent.Select(e => new DrillLine(e.At, e.Kind, e.What))],
            [.. progress.Expected.Select(e => new DrillExpectation(e.Id, e.Action.ToString(), e.Within, e.Met, e.Delay, e.Detail))],
            _failure));
        Changed?.Invoke();
    }

    // The container disposes the desk once for each of its two registrations (DrillDesk and IDrillDesk).
    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync();
        if (_running is { } running)
        {
            await running.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        _stopping.Dispose();
    }
}
