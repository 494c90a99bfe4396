using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.History;
using CityOps.Twin.Silo.Hosting;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Security;
using CityOps.Twin.Web.Live;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// The silo's drill desk: runs one drill at a time in the background against its own copy of the city, keeps
/// its status for the drill page, and keeps the last after-action report (also written under the data folder).
/// While a drill runs its city is offered to the twin view (<see cref="IDrillCities"/>): users who enter it see and
/// act in the drill's city through the same pages as the live one.
/// </summary>
public sealed class DrillDesk(
    CityRegistry registry, CaseCategoryCatalogue categories, SensorRulebook rules, IOptions<SwitchoverOptions> switchover,
    SiloSettings settings, IConfiguration configuration, TwinGuard guard, IServiceProvider services, ILogger<DrillDesk> logger)
    : IDrillDesk, IDrillCities, IAsyncDisposable
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
    private TwinCity? _city;
    // The running drill's scenario as the drill page draws it: made once at the start, carried by every status.
    private DrillPlan? _plan;
    private int _handInjects;
    private int _notedPending;

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

    public TwinCity? Running => Volatile.Read(ref _city);

    public string? ReportHtml => Volatile.Read(ref _report);

    public event Action? Changed;

    public async Task StartAsync(string scenarioName, double speed, DrillPlayers? players = null)
    {
        players ??= DrillPlayers.Scripted;
        if (!(speed is >= 1 and <= DrillRun.MaxSpeed))
        {
            throw new InvalidOperationException($"A drill's speed is 1 to {DrillRun.MaxSpeed} (times real time); {speed} is not.");
        }
        if (_running is { IsCompleted: false })
        {
            throw new InvalidOperationException($"The drill '{_status?.Name}' is still running; one drill runs at a time.");
        }
        var holder = await ClaimAsync(scenarioName);
        if (holder is not null)
        {
            throw new InvalidOperationException(
                $"The drill '{holder.Scenario}' is running on {holder} since {holder.Since:u}; one drill runs at a time in the cluster: follow it on that silo's view.");
        }
        DrillScenario scenario;
        try
        {
            scenario = await DrillHistoryReplay.ReadAsync(Read(scenarioName), registry, services.GetService<HistoryStore>(),
                settings.Storage == StorageKind.Memory ? "--storage memory keeps none" : "History:Enabled is false", _stopping.Token);
        }
        catch (DrillScenarioException exception)
        {
            _ = ReleaseAsync();
            throw new InvalidOperationException(exception.Message, exception);
        }
        catch
        {
            // The history failed in a way of its own (a timeout, a pool exhausted): the claim goes with the refused start.
            _ = ReleaseAsync();
            throw;
        }
        lock (_lock)
        {
            if (_running is { IsCompleted: false })
            {
                throw new InvalidOperationException($"The drill '{_status?.Name}' is still running; one drill runs at a time.");
            }
            _failure = null;
            var plan = scenario.Plan(players);
            Volatile.Write(ref _plan, plan);
            Volatile.Write(ref _status, new DrillStatus(scenario.Name, TimeSpan.Zero, scenario.Duration, speed, false, false, "Normal", 0, 0,
                [new DrillLine(TimeSpan.Zero, "drill", "正在准备城市副本 Filing the drill's copy of the city")], [], null, Preparing: true, players, Plan: plan));
            // Filing the copy takes a few seconds: the page shows the drill preparing meanwhile.
            _running = Task.Run(() => PrepareAndRunAsync(scenario, speed, players));
        }
        Changed?.Invoke();
    }

    /// <summary>Claims the cluster's one drill for this silo (<see cref="IDrillClaimGrain"/>): null when granted, else who runs one.</summary>
    private Task<DrillHolder?> ClaimAsync(string scenarioName)
    {
        var silo = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var view = services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return Claims.Claim(new DrillHolder(silo, view, scenarioName, DateTimeOffset.UtcNow));
    }

    private async Task ReleaseAsync()
    {
        try
        {
            await Claims.Release(services.GetRequiredService<ILocalSiloDetails>().SiloAddress);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The claim lapses with this silo anyway; a later start on this silo claims it again.
            logger.LogWarning("Could not release the cluster's drill claim: {Problem}", exception.Message);
        }
    }

    // The claim is in memory in its grain: if that grain's silo died, the running drill claims again (every 5 s at most).
    private long _claimedAt;

    private void KeepClaim(string scenarioName)
    {
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _claimedAt) < 5_000)
        {
            return;
        }
        Interlocked.Exchange(ref _claimedAt, now);
        _ = ClaimAsync(scenarioName).ContinueWith(claim => _ = claim.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    private IDrillClaimGrain Claims => services.GetRequiredService<IGrainFactory>().GetGrain<IDrillClaimGrain>(IDrillClaimGrain.Key);

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

    private async Task PrepareAndRunAsync(DrillScenario scenario, double speed, DrillPlayers players)
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
        catch (Exception exception)
        {
            logger.LogError(exception, "Drill {Drill} could not start", scenario.Name);
            _failure = exception.Message;
            await ReleaseAsync();
            throw;
        }
        run.Stepped += () => Publish(run);
        run.Noted += () =>
        {
            // Between steps (people acting in a paused drill): one status for what was noted in the next 100 ms.
            if (Interlocked.Exchange(ref _notedPending, 1) == 0)
            {
                _ = Task.Delay(100).ContinueWith(_ =>
                {
                    Interlocked.Exchange(ref _notedPending, 0);
                    Publish(run);
                }, TaskScheduler.Default);
            }
        };
        _run = run;
        Volatile.Write(ref _city, new TwinCity(scenario.Name, run.Feed, run.Client, run.City, run.Switchboard, run.Intake,
            new DrillCommands(run, guard, services.GetRequiredService<ITwinCommands>), run.Clock));
        await RunAsync(run, scenario, speed, players);
    }

    private async Task RunAsync(DrillRun run, DrillScenario scenario, double speed, DrillPlayers players)
    {
        try
        {
            var report = await run.RunAsync(scenario, speed, _stopping.Token, players);
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
        // Users in the drill return to the live city (their views hear Changed) before its silo stops.
        Volatile.Write(ref _city, null);
        Publish(run, finished: true);
        _run = null;
        await run.DisposeAsync();
        await ReleaseAsync();
    }

    public void SetSpeed(double speed)
    {
        if (_run is { } run)
        {
            run.Speed = speed;
            Publish(run);
        }
    }

    public async Task PauseAsync()
    {
        if (_run is { } run)
        {
            await run.PauseAsync();
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

    public async Task InjectAsync(HandInject inject, string by)
    {
        var run = _run ?? throw new InvalidOperationException("No drill is running.");
        var drillInject = HandInjectOf(inject, $"hand-{Interlocked.Increment(ref _handInjects)}", run.Elapsed);
        await run.InjectAsync(drillInject, by);
        Publish(run);
    }

    /// <summary>A hand inject as the drill's inject of its kind, checked against the city; the message says what is missing or wrong.</summary>
    private DrillInject HandInjectOf(HandInject inject, string id, TimeSpan now)
    {
        string Device<T>(IReadOnlyDictionary<string, T> known, string what)
        {
            var device = inject.Device?.Trim();
            return string.IsNullOrEmpty(device) ? throw new ArgumentException($"The {inject.Kind} inject needs the device: {what}.")
                : known.ContainsKey(device) ? device
                : throw new ArgumentException($"'{device}' is not {what} of the city.");
        }
        GeoPoint Point()
        {
            if (inject.Lat is not { } lat || inject.Lon is not { } lon)
            {
                throw new ArgumentException($"The {inject.Kind} inject needs its place: lat and long.");
            }
            var point = new GeoPoint(lon, lat);
            return !point.IsValid ? throw new ArgumentException(FormattableString.Invariant($"lat {lat}, long {lon} is not a place on earth (lat -90..90, long -180..180)."))
                : registry.GridAt(point) is null ? throw new ArgumentException(FormattableString.Invariant($"lat {lat}, long {lon} is in no grid of the city."))
                : point;
        }
        string Text() => string.IsNullOrWhiteSpace(inject.Text) ? throw new ArgumentException($"The {inject.Kind} inject needs the text of the call or report.") : inject.Text.Trim();
        string Category(string fallback)
        {
            var code = string.IsNullOrWhiteSpace(inject.Category) ? fallback : inject.Category.Trim();
            return categories.Categories.Any(c => c.Code == code) ? code
                : throw new ArgumentException($"'{code}' is not a case category; the categories are {string.Join(", ", categories.Categories.Select(c => c.Code))}.");
        }
        double Finite(double? value, string what) => value is { } v && double.IsFinite(v) ? v : throw new ArgumentException($"The {inject.Kind} inject needs {what} as a finite number.");
        return inject.Kind switch
        {
            "elevator-trapped" => new DrillInject(id, now, InjectKind.ElevatorTrapped, Device(registry.Elevators, "an elevator"), [], null, null, null, null, null, 0),
            "sensor-reading" => new DrillInject(id, now, InjectKind.SensorSeries, Device(registry.Sensors, "a sensor"), [(TimeSpan.Zero, Finite(inject.Value, "the reading"))], null, null, null, null, null, 0),
            "sensor-series" => new DrillInject(id, now, InjectKind.SensorSeries, Device(registry.Sensors, "a sensor"),
                inject.Values is { Count: > 0 } values
                    ? [.. values.Select((v, i) => (TimeSpan.FromMinutes(i), Finite(v, $"reading {i + 1} of {values.Count}")))]
                    : throw new ArgumentException("The sensor-series inject needs its readings, one a drill minute (e.g. 12, 18, 25)."),
                null, null, null, null, null, 0),
            "hotline-case" => new DrillInject(id, now, InjectKind.HotlineCase, null, [], null, Point(), Category("0401"), Text(), null, 0),
            "road-closure" => new DrillInject(id, now, InjectKind.RoadClosure, null, [], null, Point(), Category("0401"), Text(), null, 0),
            "power-cut" => new DrillInject(id, now, InjectKind.PowerCut, null, [], inject.Grid?.Trim() is { Length: > 0 } grid && registry.Areas.TryGetValue(grid, out var area) && area.Level == Contracts.Signs.AreaLevel.Grid
                ? grid : throw new ArgumentException($"A power-cut inject needs a grid of the city ('{inject.Grid}' is not one)."), null, null, null, null, 0),
            _ => throw new ArgumentException($"'{inject.Kind}' is not a hand inject; the kinds are {string.Join(", ", HandInject.Kinds)}."),
        };
    }

    private void Publish(DrillRun run, bool finished = false)
    {
        if (run.Scenario is not { } scenario)
        {
            return;
        }
        // A status noted late (a person's action heard after the last minute) never reopens a finished drill.
        finished |= run.Finished && Volatile.Read(ref _city) is null;
        if (!finished)
        {
            KeepClaim(scenario.Name);
        }
        var progress = run.Progress();
        var mode = progress.Mode;
        Volatile.Write(ref _status, new DrillStatus(
            scenario.Name, run.Elapsed, scenario.Duration, run.Speed, run.Paused, finished,
            mode is { IsEmergency: true } ? $"{mode.Kind} {mode.Level}" : "Normal",
            progress.Alarms, progress.Cases,
            [.. progress.Recent.Select(e => new DrillLine(e.At, e.Kind, e.What))],
            [.. progress.Expected.Select(e => new DrillExpectation(e.Id, e.Action.ToString(), e.Within, e.Met, e.Delay, e.Detail, e.Due, e.By, e.Missed))],
            _failure, Players: run.Players, Now: run.Clock.GetUtcNow(), Plan: Volatile.Read(ref _plan)));
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
