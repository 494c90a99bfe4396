using System.Collections.Concurrent;
using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Alerts;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Live;
using CityOps.Twin.Silo.Drills.Engine;
using CityOps.Twin.Silo.Hosting;
using CityOps.Twin.Silo.Cap;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Silo.Mode;
using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Web.Live;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// One drill: a copy of the city in an Orleans silo of its own inside this process (<see cref="DrillSiloHost"/>: its
/// own cluster, memory storage and reminders, its own clock), so nothing a drill does can touch the live twin. Injects and scripted players act through the same grains, switchboard
/// and CAP log as the live silo; a recorder notes every alarm, case step and switch at drill time.
/// </summary>
public sealed class DrillRun : IAsyncDisposable, ITwinChangeListener
{
    /// <summary>How long the drill's feed may take to deliver what its grains published before a step is refused as stuck.</summary>
    private static readonly TimeSpan FeedPatience = TimeSpan.FromSeconds(30);

    /// <summary>The drill clock's step: injects, player actions and the indices' samples fall on whole simulated minutes.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    public const double MaxSpeed = 600;

    /// <summary>The latest events the drill page shows.</summary>
    private const int RecentEvents = 12;

    /// <summary>Series injects starting together are noted one by one up to this many, beyond it as one line.</summary>
    private const int NotedSeries = 20;

    /// <summary>The report carries every mode switch's CAP alert and the first this many alarm alerts (a storm raises thousands).</summary>
    public const int ReportedAlarmAlerts = 100;

    private readonly DrillSiloHost _silo;
    private readonly DrillClock _clock;
    private readonly CapOptions _cap;
    private readonly MemoryCapAlertStore _capStore;
    private readonly CapAlertLog _capLog;
    private readonly ConcurrentQueue<DrillEvent> _timeline = new();
    private readonly ConcurrentDictionary<string, DrillCaseProgress> _cases = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ModeChange> _switches = new();
    // The series inject that drove each sensor last: an alarm case of that sensor belongs to it.
    private readonly ConcurrentDictionary<string, string> _seriesBySensor = new(StringComparer.Ordinal);
    // Readings of hand-injected series still to come, at drill time.
    private readonly List<(TimeSpan At, string Inject, string Sensor, double Value)> _handReadings = [];
    private readonly List<VitalSignsSample> _indices = [];
    // Each district's samples by its code, taken with the city's (under the same lock).
    private readonly Dictionary<string, List<VitalSignsSample>> _districtIndices = new(StringComparer.Ordinal);
    private readonly Lock _pauseLock = new();
    private readonly Queue<DrillEvent> _recent = new();
    private int _alarmCount;
    private int _eventCount;
    private TaskCompletionSource _resumed = Resumed();
    // Whether the loop is working a minute (a pause then stands once the minute is done), who waits for that, and
    // the real-time wait between minutes, cut short by a new speed or a pause.
    private bool _working;
    private TaskCompletionSource? _pauseStood;
    private CancellationTokenSource? _wake;
    private DrillScenario? _scenario;
    private DrillPlayers _players = DrillPlayers.Scripted;
    private volatile bool _finished;
    private double _speed;

    private readonly SwitchProposer _proposer;
    private readonly ModeSwitchboard _switchboard;

    private DrillRun(DrillSiloHost silo, DrillListeners listeners, CapOptions cap, ICityDirectory city, ModeSwitchboard switchboard, SwitchoverOptions switchover, ICaseIntake intake)
    {
        Intake = intake;
        Feed = silo.Services.GetRequiredService<TwinFeed>();
        _switchboard = switchboard;
        _silo = silo;
        _clock = silo.Clock;
        _cap = cap;
        Client = silo.Client;
        City = city;
        Switchboard = switchboard;
        // The drill's grains journal into the drill silo's own memory, never the live twin's store.
        _capStore = silo.Services.GetRequiredService<MemoryCapAlertStore>();
        _capLog = new CapAlertLog(_capStore, city, Options.Create(cap));
        _proposer = new SwitchProposer(silo.Services.GetRequiredService<CityModeCache>(), switchboard, Options.Create(switchover));
        listeners.Listen(this, _proposer);
        switchboard.ProposalChanged += () =>
        {
            if (switchboard.Proposal is { } proposal)
            {
                Note(Elapsed, "proposal", $"孪生建议 The twin proposes {proposal.Kind} {proposal.Level}: {proposal.Why}", null);
            }
        };
    }

    /// <summary>Raised after each step of the drill clock, from the drill's loop; handlers must only take note.</summary>
    public event Action? Stepped;

    /// <summary>Raised when the recorder noted something between steps (a person's action while paused, say); handlers must only take note.</summary>
    public event Action? Noted;

    public DrillScenario? Scenario => _scenario;

    public IClusterClient Client { get; }

    public ICityDirectory City { get; }

    public IModeSwitchboard Switchboard { get; }

    /// <summary>The drill's cases reported by people (the case desk and the map of a user in the drill).</summary>
    public ICaseIntake Intake { get; }

    /// <summary>The drill city's live picture for the twin view of users who entered the drill.</summary>
    public TwinFeed Feed { get; }

    /// <summary>The drill clock: the drill city's now.</summary>
    public TimeProvider Clock => _clock;

    /// <summary>The scenario has run to its end.</summary>
    public bool Finished => _finished;

    /// <summary>Who plays the drill's roles: people, or the scenario's scripted players.</summary>
    public DrillPlayers Players => _players;

    /// <summary>Events the recorder has noted so far (the report's timeline).</summary>
    public int EventCount => Volatile.Read(ref _eventCount);

    /// <summary>Drill time: how far into the scenario the drill clock stands.</summary>
    public TimeSpan Elapsed => _scenario is null ? TimeSpan.Zero : _clock.GetUtcNow() - _scenario.Start;

    public bool Paused
    {
        get
        {
            lock (_pauseLock)
            {
                return !_resumed.Task.IsCompleted;
            }
        }
    }

    /// <summary>Simulated seconds per real second, 1 to 600; 0 runs as fast as the machine can (headless runs and tests).</summary>
    public double Speed
    {
        get => Volatile.Read(ref _speed);
        set
        {
            Volatile.Write(ref _speed, value == 0 ? 0 : Math.Clamp(value, 1, MaxSpeed));
            WakeWaiting();
        }
    }

    /// <summary>Files a copy of the city into a fresh runtime whose clock stands at <paramref name="start"/>.</summary>
    public static async Task<DrillRun> CreateAsync(CityRegistry registry, CaseCategoryCatalogue categories, SensorRulebook rules, SwitchoverOptions switchover, DateTimeOffset start, CancellationToken cancellationToken = default)
    {
        // The copy is filed a minute before the drill starts and settled up to the start, so the drill's first
        // minute is not spent on the whole city reporting its first vital signs.
        var listeners = new DrillListeners();
        var filed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var silo = await DrillSiloHost.StartAsync(new DrillSiloOptions
        {
            Start = start - Step,
            Name = "drill",
            // The grains name their storage; in the drill it is memory, serialized as the live silo's is.
            ConfigureSilo = drillSilo => drillSilo.AddMemoryGrainStorage(
                TwinGrains.Storage, memory => memory.GrainStorageSerializer = new Storage.JsonGrainStorageSerializer(TwinGrains.StateTypes)),
            ConfigureServices = services => services
                .AddTwinCatalogues(categories, rules)
                .AddTwinFeed()
                .AddSingleton(new MemoryCapAlertStore(new CapOptions().Keep))
                .AddSingleton<IAlertJournal>(sp => sp.GetRequiredService<MemoryCapAlertStore>())
                .AddSingleton<ITwinChangeListener>(listeners)
                // The twin view's picture of the drill's city, for the users who enter the drill: it reads the city
                // once it is filed, then hears every change from the drill's feed, as the live view's does.
                .AddSingleton<ICityDirectory>(sp => new CityDirectory(registry, sp.GetRequiredService<IClusterClient>(), () => filed.Task))
                .AddSingleton<TwinFeed>()
                .AddSingleton<ITwinChangeListener>(sp => sp.GetRequiredService<TwinFeed>())
                .AddHostedService(sp => sp.GetRequiredService<TwinFeed>()),
        }, cancellationToken);
        try
        {
            var feed = silo.Services.GetRequiredService<TwinFeedCounters>();
            // The drill's grains tell its feed what happened; a step is settled once the feed has heard it all.
            silo.Driver.AlsoSettle = _ => feed.WhenDeliveredAsync(FeedPatience);
            silo.Driver.Tick = TimeSpan.FromSeconds(1);
            await silo.Services.GetRequiredService<ITwinFeedMembership>().Registered.WaitAsync(cancellationToken);
            var client = silo.Client;
            await CityFiler.FileAsync(registry.City, client, () => { }, cancellationToken);
            await silo.Driver.AdvanceToAsync(start, cancellationToken);
            filed.TrySetResult();
            await silo.Services.GetRequiredService<TwinFeed>().Ready.WaitAsync(cancellationToken);
            var city = silo.Services.GetRequiredService<ICityDirectory>();
            var switchboard = new ModeSwitchboard(city, client, silo.Services.GetRequiredService<CityModeCache>(), Options.Create(switchover), NullLogger<ModeSwitchboard>.Instance);
            var intake = new CaseIntake(registry, client, categories, silo.Clock);
            return new DrillRun(silo, listeners, new CapOptions(), city, switchboard, switchover, intake);
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the scenario to its end at <see cref="Speed"/>, honouring pauses, and returns the after-action report.</summary>
    /// <param name="playedBy">Who plays the roles; the scenario's scripted players act only for the roles people do not play (all by default).</param>
    public async Task<DrillReport> RunAsync(DrillScenario scenario, double speed, CancellationToken cancellationToken = default, DrillPlayers? playedBy = null)
    {
        _players = playedBy ?? DrillPlayers.Scripted;
        _scenario = scenario;
        Speed = speed;
        _cap.ExerciseName = scenario.Name;
        Note(TimeSpan.Zero, "drill", $"演练开始 Drill started: {scenario.Name}", null);
        Note(TimeSpan.Zero, "drill", $"指挥长 Commander: {(_players.CommanderByPeople ? "真人 people" : "脚本 scripted")} · 值班员 Operators: {(_players.OperatorsByPeople ? "真人 people" : "脚本 scripted")}", null);
        if (scenario.Replay is { } replay)
        {
            Note(TimeSpan.Zero, "inject", FormattableString.Invariant(
                $"回放历史 Replaying the city's recorded readings from {replay.From:yyyy-MM-dd HH:mm zzz} to {replay.To:yyyy-MM-dd HH:mm zzz}: {replay.Sensors} {(replay.Sensors == 1 ? "sensor" : "sensors")}, {replay.Readings} readings"), null);
        }

        try
        {
            await RunMinutesAsync(scenario, cancellationToken);
        }
        finally
        {
            // Past the last minute (or failed): a pause asked now has nothing to wait for.
            lock (_pauseLock)
            {
                _working = false;
                _pauseStood?.TrySetResult();
                _pauseStood = null;
            }
        }
        await _silo.Driver.SettleAsync(cancellationToken);
        _finished = true;
        Note(scenario.Duration, "drill", "演练结束 Drill ended", null);
        return Report();
    }

    private async Task RunMinutesAsync(DrillScenario scenario, CancellationToken cancellationToken)
    {
        var series = scenario.Injects.Where(i => i.Kind == InjectKind.SensorSeries)
            .SelectMany(i => i.Series.Select(p => (At: i.At + p.After, Inject: i, p.Value))).OrderBy(p => p.At).ToList();
        var injects = scenario.Injects.Where(i => i.Kind != InjectKind.SensorSeries).OrderBy(i => i.At).ToList();
        var players = scenario.Players.OrderBy(p => p.At).ToList();
        var (nextReading, nextInject, nextPlayer) = (0, 0, 0);
        // The districts are sampled with the city for the report's flood line of each: a few reads a minute (4 in
        // the demo city, 16 in a real one), read together.
        var districts = City.Areas.Values.Where(a => a.Level == AreaLevel.District).Select(a => a.Code).Order(StringComparer.Ordinal).ToList();

        for (var now = TimeSpan.Zero; now <= scenario.Duration; now += Step)
        {
            await PassPauseGateAsync(cancellationToken);
            var starting = scenario.Injects.Where(i => i.Kind == InjectKind.SensorSeries && i.At <= now && i.At > now - Step).ToList();
            if (starting.Count > NotedSeries)
            {
                Note(now, "inject", $"注入 Inject: {starting.Count} 个传感器读数序列 sensor series start", null);
            }
            else
            {
                foreach (var inject in starting)
                {
                    Note(now, "inject", $"注入 Inject {inject.Id}: {inject.Kind} {inject.Device}", inject.Id);
                }
            }
            for (; nextReading < series.Count && series[nextReading].At <= now; nextReading++)
            {
                var (at, inject, value) = series[nextReading];
                _seriesBySensor[inject.Device!] = inject.Id;
                await Client.GetGrain<ISensorGrain>(inject.Device!).Record(new SensorReading(inject.Device!, scenario.Start + at, value));
            }
            foreach (var (at, inject, sensor, value) in HandReadingsDue(now))
            {
                _seriesBySensor[sensor] = inject;
                await Client.GetGrain<ISensorGrain>(sensor).Record(new SensorReading(sensor, scenario.Start + at, value));
            }
            for (; nextInject < injects.Count && injects[nextInject].At <= now; nextInject++)
            {
                await InjectAsync(injects[nextInject]);
            }
            for (; nextPlayer < players.Count && players[nextPlayer].At <= now; nextPlayer++)
            {
                if (!PlayedByPeople(_players, players[nextPlayer].Action))
                {
                    await PlayAsync(players[nextPlayer]);
                }
            }

            await _silo.Driver.SettleAsync(cancellationToken);
            var sample = VitalSignsSample.Of(await Client.GetGrain<IAreaGrain>(IAreaGrain.CityCode).GetVitalSigns());
            var districtSamples = await Task.WhenAll(districts.Select(code => Client.GetGrain<IAreaGrain>(code).GetVitalSigns()));
            lock (_indices)
            {
                _indices.Add(sample);
                for (var i = 0; i < districts.Count; i++)
                {
                    if (!_districtIndices.TryGetValue(districts[i], out var samples))
                    {
                        _districtIndices[districts[i]] = samples = [];
                    }
                    samples.Add(VitalSignsSample.Of(districtSamples[i]));
                }
            }
            Stepped?.Invoke();
            if (now < scenario.Duration)
            {
                // The minute is done: a pause asked meanwhile is in force from here, on a clock that stands.
                StepDone();
                if (Speed > 0)
                {
                    await WaitRealTimeAsync(TimeSpan.FromMinutes(1) / Speed, cancellationToken);
                }
                await PassPauseGateAsync(cancellationToken);
                await _silo.Driver.AdvanceToAsync(_clock.GetUtcNow() + Step, cancellationToken);
            }
        }
    }

    /// <summary>Whether people, not the script, play the role that takes this action: operators dispatch, the commander does the rest.</summary>
    public static bool PlayedByPeople(DrillPlayers players, DrillActionKind action) =>
        action == DrillActionKind.Dispatch ? players.OperatorsByPeople : players.CommanderByPeople;

    private List<(TimeSpan At, string Inject, string Sensor, double Value)> HandReadingsDue(TimeSpan now)
    {
        lock (_handReadings)
        {
            var due = _handReadings.Where(r => r.At <= now).OrderBy(r => r.At).ToList();
            _handReadings.RemoveAll(r => r.At <= now);
            return due;
        }
    }

    /// <summary>A person's action in the drill's city that was refused, noted in the timeline with who tried it.</summary>
    public void NoteRefused(string by, string what, string why) => Note(Elapsed, "action", $"{by}: {what} — {why}", null);

    /// <summary>Applies an inject now: from the scenario at its time, or by the drill controller by hand.</summary>
    /// <param name="by">The drill controller who injected it by hand; null for the scenario's own.</param>
    public async Task InjectAsync(DrillInject inject, string? by = null)
    {
        var now = _clock.GetUtcNow();
        Note(Elapsed, "inject", $"{(by is null ? "" : $"{by}: ")}注入 Inject {inject.Id}: {inject.Kind} {inject.Device ?? inject.Grid ?? inject.Position?.ToString()}", inject.Id);
        string? caseId = null;
        switch (inject.Kind)
        {
            case InjectKind.SensorSeries:
                _seriesBySensor[inject.Device!] = inject.Id;
                foreach (var (after, value) in inject.Series.Where(p => p.After == TimeSpan.Zero))
                {
                    await Client.GetGrain<ISensorGrain>(inject.Device!).Record(new SensorReading(inject.Device!, now, value));
                }
                lock (_handReadings)
                {
                    // Whole drill minutes from now: the loop applies them at its steps, on the drill clock.
                    var from = TimeSpan.FromMinutes(Math.Ceiling(Elapsed.TotalMinutes));
                    _handReadings.AddRange(inject.Series.Where(p => p.After > TimeSpan.Zero).Select(p => (from + p.After, inject.Id, inject.Device!, p.Value)));
                }
                break;
            case InjectKind.ElevatorTrapped:
                caseId = await Client.GetGrain<IElevatorGrain>(inject.Device!).SetStatus(ElevatorStatus.Trapped, now, $"演练 {inject.Id}");
                break;
            case InjectKind.CameraDetection:
                caseId = await Client.GetGrain<ICameraGrain>(inject.Device!).Detect(new CameraDetection(inject.Detection!.Value, now, inject.Confidence));
                break;
            case InjectKind.PowerCut:
                foreach (var camera in City.Cameras.Values.Where(c => c.GridCode == inject.Grid))
                {
                    await Client.GetGrain<ICameraGrain>(camera.CameraId).SetOnline(false, now);
                }
                break;
            case InjectKind.HotlineCase or InjectKind.RoadClosure:
                caseId = $"D-{inject.Id}";
                await Client.GetGrain<ICaseGrain>(caseId).Report(new NewCase(
                    inject.Text!, inject.Text!, inject.Category!, inject.Kind == InjectKind.HotlineCase ? CaseSource.Hotline12345 : CaseSource.Police110,
                    inject.Position!.Value, City.GridAt(inject.Position.Value)!, $"演练 {inject.Id}"));
                break;
        }
        if (caseId is not null)
        {
            _cases.GetOrAdd(caseId, id => new DrillCaseProgress(id, Elapsed)).Inject = inject.Id;
        }
        await _silo.Driver.SettleAsync();
    }

    /// <summary>
    /// Pauses the drill clock. Completes once the clock stands: at once if the drill is between two minutes, else when
    /// the minute in hand is done (its injects applied and settled); what the status says then holds until resumed.
    /// </summary>
    public Task PauseAsync()
    {
        lock (_pauseLock)
        {
            if (_resumed.Task.IsCompleted)
            {
                _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            if (!_working)
            {
                return Task.CompletedTask;
            }
            _pauseStood ??= new(TaskCreationOptions.RunContinuationsAsynchronously);
            WakeWaiting();
            return _pauseStood.Task;
        }
    }

    public void Resume()
    {
        lock (_pauseLock)
        {
            _resumed.TrySetResult();
        }
    }

    /// <summary>Waits while paused; then the drill is working a minute (a pause asked now waits for its end).</summary>
    private async Task PassPauseGateAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task resumed;
            lock (_pauseLock)
            {
                if (_resumed.Task.IsCompleted)
                {
                    _working = true;
                    return;
                }
                _working = false;
                _pauseStood?.TrySetResult();
                _pauseStood = null;
                resumed = _resumed.Task;
            }
            await resumed.WaitAsync(cancellationToken);
        }
    }

    private void StepDone()
    {
        lock (_pauseLock)
        {
            _working = false;
            if (!_resumed.Task.IsCompleted)
            {
                _pauseStood?.TrySetResult();
                _pauseStood = null;
            }
        }
    }

    /// <summary>Real time between two drill minutes; cut short when the speed changes or a pause is asked.</summary>
    private async Task WaitRealTimeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        CancellationTokenSource wake;
        lock (_pauseLock)
        {
            _wake = wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        }
        try
        {
            await Task.Delay(wait, wake.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Woken: the speed changed or a pause was asked.
        }
        finally
        {
            lock (_pauseLock)
            {
                _wake = null;
            }
            wake.Dispose();
        }
    }

    private void WakeWaiting()
    {
        lock (_pauseLock)
        {
            _wake?.Cancel();
        }
    }

    private async Task PlayAsync(PlayerAction action)
    {
        try
        {
            if (action.Action == DrillActionKind.ConfirmProposal)
            {
                if (Switchboard.Proposal is { } proposal)
                {
                    await Switchboard.SwitchAsync(new ModeSwitch(OperatingMode.Emergency, proposal.Kind, proposal.Level, [], action.By, $"确认孪生建议 Confirmed the twin's proposal: {proposal.Why}"));
                }
                return;
            }
            if (action.Action == DrillActionKind.SwitchMode)
            {
                await Switchboard.SwitchAsync(new ModeSwitch(OperatingMode.Emergency, action.Kind, action.Level, [], action.By, action.Reason));
                return;
            }
            var caseId = _cases.Values.FirstOrDefault(c => c.Inject == action.Inject)?.CaseId;
            if (caseId is null)
            {
                Note(Elapsed, "action", $"{action.By}: 没有可派遣的案件 nothing to dispatch for {action.Inject}", action.Inject);
                return;
            }
            var grain = Client.GetGrain<ICaseGrain>(caseId);
            if ((await grain.Get())!.Status == CaseStatus.Reported)
            {
                await grain.Act(new CaseStep(CaseAction.Register, action.By));
            }
            await grain.Act(new CaseStep(CaseAction.Dispatch, action.By, Team: action.Team));
        }
        catch (Exception exception) when (exception is ModeSwitchException or CaseTransitionException or CaseInputException)
        {
            Note(Elapsed, "action", $"{action.By}: {exception.Message}", action.Inject);
        }
    }

    /// <summary>The drill's recorder: every switch, alarm change and case step of the drill's city, noted at drill time.</summary>
    void ITwinChangeListener.OnChanges(TwinChanges changes)
    {
        if (_scenario is null)
        {
            // The copy of the city being filed before the drill starts.
            return;
        }
        foreach (var change in changes.Modes)
        {
            _switches.Enqueue(change);
            Note(Elapsed, "mode", $"{change.To.ChangedBy}: {(change.To.IsEmergency ? $"启动 {change.To.Kind} {change.To.Level} 级响应" : "恢复平时状态")} ({change.Reason})", null);
        }
        foreach (var alarm in changes.Alarms)
        {
            Note(Elapsed, "alarm", $"{alarm.SensorId} {alarm.From} → {alarm.To} ({alarm.Value:0.##})", alarm.SensorId);
        }
        foreach (var record in changes.Cases)
        {
            var progress = _cases.GetOrAdd(record.CaseId, id => new DrillCaseProgress(id, Elapsed));
            // A sensor's alarm case belongs to the series inject that drove the sensor, as a lift's case to its inject.
            if (progress.Inject is null && SensorOf(record.CaseId) is { } sensor && _seriesBySensor.TryGetValue(sensor, out var series))
            {
                progress.Inject = series;
            }
            var seen = progress.Observe(record, Elapsed);
            if (seen.StatusChanged)
            {
                var by = record.Timeline.Count > 0 ? record.Timeline[^1].Actor : "—";
                Note(Elapsed, "case", $"{by}: {record.CaseId} {record.Status}: {record.Title}", record.CaseId);
            }
            if (seen.BecameOverdue)
            {
                Note(Elapsed, "overdue", $"{record.CaseId} 超期 overdue ({record.Status}): {record.Title}", record.CaseId);
            }
        }
    }

    /// <summary>The sensor of an alarm case ("S-WL-00100-0001" is WL-00100's first episode), or null for other cases.</summary>
    private static string? SensorOf(string caseId) =>
        caseId.StartsWith("S-", StringComparison.Ordinal) && caseId.LastIndexOf('-') is var last and > 2 ? caseId[2..last] : null;

    private void Note(TimeSpan at, string kind, string what, string? reference)
    {
        var line = new DrillEvent(at, kind, what, reference);
        _timeline.Enqueue(line);
        Interlocked.Increment(ref _eventCount);
        if (kind == "alarm")
        {
            Interlocked.Increment(ref _alarmCount);
        }
        lock (_recent)
        {
            _recent.Enqueue(line);
            if (_recent.Count > RecentEvents)
            {
                _recent.Dequeue();
            }
        }
        Noted?.Invoke();
    }

    /// <summary>
    /// Where the drill stands, for the drill page after every step: the latest events, the counts, the expected
    /// actions so far and the mode. Kept as it goes, so it costs the same at the first step and the thousandth.
    /// </summary>
    public DrillProgress Progress()
    {
        var scenario = _scenario ?? throw new InvalidOperationException("The drill has not run.");
        DrillEvent[] recent;
        lock (_recent)
        {
            recent = [.. _recent.Reverse()];
        }
        var switches = _switches.ToList();
        return new DrillProgress(recent, Volatile.Read(ref _alarmCount), _cases.Count,
            [.. scenario.Expected.Select(e => Evaluate(e, scenario, switches))], switches.LastOrDefault()?.To);
    }

    /// <summary>The after-action report (also of a drill still running).</summary>
    public DrillReport Report()
    {
        var scenario = _scenario ?? throw new InvalidOperationException("The drill has not run.");
        var timeline = _timeline.OrderBy(e => e.At).ToList();
        var switches = _switches.ToList();
        var expected = scenario.Expected.Select(e => Evaluate(e, scenario, switches)).ToList();
        var cases = _cases.Values.Select(c => c.ToReport()).OrderBy(c => c.OpenedAt).ToList();
        var alerts = _capLog.Render(_capStore.Latest(int.MaxValue)).Reverse().ToList();
        List<string> cap = [.. alerts.Where(a => a.Identifier.StartsWith("cityops-mode", StringComparison.Ordinal))
            .Concat(alerts.Where(a => !a.Identifier.StartsWith("cityops-mode", StringComparison.Ordinal)).Take(ReportedAlarmAlerts))
            .OrderBy(a => a.Sent).Select(a => a.ToXml().ToString())];
        VitalSignsSample[] indices;
        List<DistrictIndices> districts;
        lock (_indices)
        {
            indices = [.. _indices];
            districts = [.. _districtIndices.Select(d => new DistrictIndices(d.Key, City.Areas.TryGetValue(d.Key, out var area) ? area.Name : d.Key, [.. d.Value]))
                .OrderBy(d => d.Code, StringComparer.Ordinal)];
        }
        var report = new DrillReport(scenario.Name, scenario.Start, scenario.Duration, Speed, timeline, expected, cases, switches, indices, cap, _players, districts);
        return report with { Summary = DrillSummary.Of(report, sensor => City.Sensors.TryGetValue(sensor, out var file) ? file.Kind : null) };
    }

    /// <summary>
    /// An expected action as it stands at drill time: its deadline counts from its trigger (the inject, or for a
    /// dispatch the case the inject opened); met by whoever acted in time, person or scripted player alike; missed once
    /// the deadline has passed on the drill clock, or acted on too late.
    /// </summary>
    private ExpectedResult Evaluate(ExpectedAction expected, DrillScenario scenario, List<ModeChange> switches)
    {
        var now = Elapsed;
        var inject = expected.After is { } id ? scenario.Injects.First(i => i.Id == id) : null;
        TimeSpan? trigger = inject is null || inject.At <= now || _finished ? inject?.At ?? TimeSpan.Zero : null;
        TimeSpan? done = null;
        string? by = null;
        string detail;
        if (expected.Action == DrillActionKind.SwitchMode)
        {
            // Levels run IV (4) to I (1): a switch at the asked level or a more severe one meets it.
            var change = trigger is { } from ? switches.FirstOrDefault(s => s.To.IsEmergency && s.To.Level <= expected.Level && s.At - scenario.Start >= from) : null;
            done = change is null ? null : change.At - scenario.Start;
            by = change?.To.ChangedBy;
            detail = change is not null ? $"{change.To.ChangedBy} → {change.To.Kind} {change.To.Level}"
                : trigger is null ? $"等待注入 waiting for {expected.After}"
                : $"没有切换到 {expected.Level} 级或以上 no switch to level {expected.Level} or above";
        }
        else
        {
            var progress = _cases.Values.FirstOrDefault(c => c.Inject == expected.Inject);
            trigger = progress?.OpenedAt;
            done = progress?.DispatchedAt;
            by = progress?.DispatchedBy;
            detail = progress is not null ? $"{progress.CaseId} → {progress.Team ?? "—"}"
                : _finished ? "注入没有产生案件 the inject opened no case"
                : $"等待 {expected.Inject} 的案件 waiting for the case of {expected.Inject}";
        }
        var delay = done - trigger;
        var met = delay is { } d && d <= expected.Within;
        var due = trigger + expected.Within;
        var missed = !met && (delay is not null || _finished || due < now);
        return new ExpectedResult(expected.Id, expected.Action, met, delay, expected.Within, detail, by, due, missed);
    }

    public async ValueTask DisposeAsync() => await _silo.DisposeAsync();

    /// <summary>The drill silo's feed listeners, known only once the drill that owns them is made.</summary>
    private sealed class DrillListeners : ITwinChangeListener
    {
        private ITwinChangeListener[] _targets = [];

        public void Listen(params ITwinChangeListener[] targets) => Volatile.Write(ref _targets, targets);

        public void OnChanges(TwinChanges changes)
        {
            foreach (var target in Volatile.Read(ref _targets))
            {
                target.OnChanges(changes);
            }
        }
    }

    private static TaskCompletionSource Resumed()
    {
        var resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        resumed.SetResult();
        return resumed;
    }

    /// <summary>What the drill has seen of one case, at drill time.</summary>
    private sealed class DrillCaseProgress(string caseId, TimeSpan openedAt)
    {
        private readonly Lock _lock = new();

        public string CaseId { get; } = caseId;

        public TimeSpan OpenedAt { get; } = openedAt;

        public string? Inject { get; set; }

        public string Title { get; private set; } = "";

        public string? Team { get; private set; }

        public string? Category { get; private set; }

        public CaseSource? Source { get; private set; }

        public TimeSpan? RegisteredAt { get; private set; }

        public TimeSpan? DispatchedAt { get; private set; }

        /// <summary>Who dispatched it first: a person in the drill, or a scripted player.</summary>
        public string? DispatchedBy { get; private set; }

        private CaseStatus? _status;

        public TimeSpan? ClosedAt { get; private set; }

        public bool Overdue { get; private set; }

        /// <summary>Takes note of the case as it is now; says whether its status changed and whether it just went overdue.</summary>
        public (bool StatusChanged, bool BecameOverdue) Observe(CaseRecord record, TimeSpan at)
        {
            lock (_lock)
            {
                var statusChanged = _status != record.Status;
                var becameOverdue = !Overdue && (record.StepOverdue || record.DisposalOverdue);
                _status = record.Status;
                Title = record.Title;
                Team = record.Team ?? Team;
                Category = record.CategoryCode;
                Source = record.Source;
                Overdue |= record.StepOverdue || record.DisposalOverdue;
                if (record.Status == CaseStatus.Registered)
                {
                    RegisteredAt ??= at;
                }
                if (record.Status == CaseStatus.Dispatched && DispatchedAt is null)
                {
                    DispatchedAt = at;
                    DispatchedBy = record.Timeline.LastOrDefault(t => t.To == CaseStatus.Dispatched)?.Actor;
                }
                if (record.Status is CaseStatus.Closed or CaseStatus.Evaluated)
                {
                    ClosedAt ??= at;
                }
                return (statusChanged, becameOverdue);
            }
        }

        public DrillCase ToReport() => new(CaseId, Title, Inject, OpenedAt, RegisteredAt - OpenedAt, DispatchedAt - OpenedAt, ClosedAt - OpenedAt, Overdue, Category, Source);
    }
}
