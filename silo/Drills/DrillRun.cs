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
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Live;
using CityOps.Twin.Silo.Drills.Engine;
using CityOps.Twin.Silo.Hosting;
using CityOps.Twin.Silo.Cap;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Silo.Mode;
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
    private readonly CapAlertLog _capLog;
    private readonly ConcurrentQueue<DrillEvent> _timeline = new();
    private readonly ConcurrentDictionary<string, DrillCaseProgress> _cases = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ModeChange> _switches = new();
    private readonly List<VitalSignsSample> _indices = [];
    private readonly Lock _pauseLock = new();
    private readonly Queue<DrillEvent> _recent = new();
    private int _alarmCount;
    private TaskCompletionSource _resumed = Resumed();
    private DrillScenario? _scenario;
    private double _speed;

    private readonly SwitchProposer _proposer;
    private readonly ModeSwitchboard _switchboard;

    private DrillRun(DrillSiloHost silo, DrillListeners listeners, CapOptions cap, CityDirectory city, ModeSwitchboard switchboard, SwitchoverOptions switchover)
    {
        _switchboard = switchboard;
        _silo = silo;
        _clock = silo.Clock;
        _cap = cap;
        Client = silo.Client;
        City = city;
        Switchboard = switchboard;
        _capLog = new CapAlertLog(city, Options.Create(cap));
        _proposer = new SwitchProposer(silo.Services.GetRequiredService<CityModeCache>(), switchboard, Options.Create(switchover));
        listeners.Listen(this, _capLog, _proposer);
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

    public DrillScenario? Scenario => _scenario;

    public IClusterClient Client { get; }

    public ICityDirectory City { get; }

    public IModeSwitchboard Switchboard { get; }

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
        set => Volatile.Write(ref _speed, value == 0 ? 0 : Math.Clamp(value, 1, MaxSpeed));
    }

    /// <summary>Files a copy of the city into a fresh runtime whose clock stands at <paramref name="start"/>.</summary>
    public static async Task<DrillRun> CreateAsync(CityRegistry registry, CaseCategoryCatalogue categories, SensorRulebook rules, SwitchoverOptions switchover, DateTimeOffset start, CancellationToken cancellationToken = default)
    {
        // The copy is filed a minute before the drill starts and settled up to the start, so the drill's first
        // minute is not spent on the whole city reporting its first vital signs.
        var listeners = new DrillListeners();
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
                .AddSingleton<ITwinChangeListener>(listeners),
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
            var city = new CityDirectory(registry, client, () => Task.CompletedTask);
            var switchboard = new ModeSwitchboard(city, client, silo.Services.GetRequiredService<CityModeCache>(), Options.Create(switchover), NullLogger<ModeSwitchboard>.Instance);
            return new DrillRun(silo, listeners, new CapOptions(), city, switchboard, switchover);
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the scenario to its end at <see cref="Speed"/>, honouring pauses, and returns the after-action report.</summary>
    public async Task<DrillReport> RunAsync(DrillScenario scenario, double speed, CancellationToken cancellationToken = default)
    {
        _scenario = scenario;
        Speed = speed;
        _cap.ExerciseName = scenario.Name;
        Note(TimeSpan.Zero, "drill", $"演练开始 Drill started: {scenario.Name}", null);

        var series = scenario.Injects.Where(i => i.Kind == InjectKind.SensorSeries)
            .SelectMany(i => i.Series.Select(p => (At: i.At + p.After, Inject: i, p.Value))).OrderBy(p => p.At).ToList();
        var injects = scenario.Injects.Where(i => i.Kind != InjectKind.SensorSeries).OrderBy(i => i.At).ToList();
        var players = scenario.Players.OrderBy(p => p.At).ToList();
        var (nextReading, nextInject, nextPlayer) = (0, 0, 0);

        for (var now = TimeSpan.Zero; now <= scenario.Duration; now += Step)
        {
            await WhileResumedAsync(cancellationToken);
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
                await Client.GetGrain<ISensorGrain>(inject.Device!).Record(new SensorReading(inject.Device!, scenario.Start + at, value));
            }
            for (; nextInject < injects.Count && injects[nextInject].At <= now; nextInject++)
            {
                await InjectAsync(injects[nextInject]);
            }
            for (; nextPlayer < players.Count && players[nextPlayer].At <= now; nextPlayer++)
            {
                await PlayAsync(players[nextPlayer]);
            }

            await _silo.Driver.SettleAsync(cancellationToken);
            var sample = VitalSignsSample.Of(await Client.GetGrain<IAreaGrain>(IAreaGrain.CityCode).GetVitalSigns());
            lock (_indices)
            {
                _indices.Add(sample);
            }
            Stepped?.Invoke();
            if (now < scenario.Duration)
            {
                await _silo.Driver.AdvanceToAsync(_clock.GetUtcNow() + Step, cancellationToken);
                if (Speed > 0)
                {
                    await Task.Delay(TimeSpan.FromMinutes(1) / Speed, cancellationToken);
                }
            }
        }
        await _silo.Driver.SettleAsync(cancellationToken);
        Note(scenario.Duration, "drill", "演练结束 Drill ended", null);
        return Report();
    }

    /// <summary>Applies an inject now: from the scenario at its time, or by the drill controller by hand.</summary>
    public async Task InjectAsync(DrillInject inject)
    {
        var now = _clock.GetUtcNow();
        Note(Elapsed, "inject", $"注入 Inject {inject.Id}: {inject.Kind} {inject.Device ?? inject.Grid ?? inject.Position?.ToString()}", inject.Id);
        string? caseId = null;
        switch (inject.Kind)
        {
            case InjectKind.SensorSeries:
                foreach (var (after, value) in inject.Series.Where(p => p.After == TimeSpan.Zero))
                {
                    await Client.GetGrain<ISensorGrain>(inject.Device!).Record(new SensorReading(inject.Device!, now, value));
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

    public void Pause()
    {
        lock (_pauseLock)
        {
            if (_resumed.Task.IsCompleted)
            {
                _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Resume()
    {
        lock (_pauseLock)
        {
            _resumed.TrySetResult();
        }
    }

    private Task WhileResumedAsync(CancellationToken cancellationToken)
    {
        lock (_pauseLock)
        {
            return _resumed.Task.WaitAsync(cancellationToken);
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
            progress.Observe(record, Elapsed);
            Note(Elapsed, "case", $"{record.CaseId} {record.Status}: {record.Title}", record.CaseId);
        }
    }

    private void Note(TimeSpan at, string kind, string what, string? reference)
    {
        var line = new DrillEvent(at, kind, what, reference);
        _timeline.Enqueue(line);
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
        var alerts = _capLog.Latest(int.MaxValue).Reverse().ToList();
        List<string> cap = [.. alerts.Where(a => a.Identifier.StartsWith("cityops-mode", StringComparison.Ordinal))
            .Concat(alerts.Where(a => !a.Identifier.StartsWith("cityops-mode", StringComparison.Ordinal)).Take(ReportedAlarmAlerts))
            .OrderBy(a => a.Sent).Select(a => a.ToXml().ToString())];
        VitalSignsSample[] indices;
        lock (_indices)
        {
            indices = [.. _indices];
        }
        return new DrillReport(scenario.Name, scenario.Start, scenario.Duration, Speed, timeline, expected, cases, switches, indices, cap);
    }

    private ExpectedResult Evaluate(ExpectedAction expected, DrillScenario scenario, List<ModeChange> switches)
    {
        var trigger = expected.After is { } id ? scenario.Injects.First(i => i.Id == id).At : TimeSpan.Zero;
        TimeSpan? done = null;
        string detail;
        if (expected.Action == DrillActionKind.SwitchMode)
        {
            // Levels run IV (4) to I (1): a switch at the asked level or a more severe one meets it.
            var change = switches.FirstOrDefault(s => s.To.IsEmergency && s.To.Level <= expected.Level && s.At - scenario.Start >= trigger);
            done = change is null ? null : change.At - scenario.Start;
            detail = change is null ? $"没有切换到 {expected.Level} 级或以上 no switch to level {expected.Level} or above" : $"{change.To.ChangedBy} → {change.To.Kind} {change.To.Level}";
        }
        else
        {
            var progress = _cases.Values.FirstOrDefault(c => c.Inject == expected.Inject);
            trigger = progress?.OpenedAt ?? trigger;
            done = progress?.DispatchedAt;
            detail = progress is null ? "注入没有产生案件 the inject opened no case" : $"{progress.CaseId} → {progress.Team ?? "—"}";
        }
        var delay = done - trigger;
        return new ExpectedResult(expected.Id, expected.Action, delay is { } d && d <= expected.Within, delay, expected.Within, detail);
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

        public TimeSpan? RegisteredAt { get; private set; }

        public TimeSpan? DispatchedAt { get; private set; }

        public TimeSpan? ClosedAt { get; private set; }

        public bool Overdue { get; private set; }

        public void Observe(CaseRecord record, TimeSpan at)
        {
            lock (_lock)
            {
                Title = record.Title;
                Team = record.Team ?? Team;
                Overdue |= record.StepOverdue || record.DisposalOverdue;
                if (record.Status == CaseStatus.Registered)
                {
                    RegisteredAt ??= at;
                }
                if (record.Status == CaseStatus.Dispatched)
                {
                    DispatchedAt ??= at;
                }
                if (record.Status is CaseStatus.Closed or CaseStatus.Evaluated)
                {
                    ClosedAt ??= at;
                }
            }
        }

        public DrillCase ToReport() => new(CaseId, Title, Inject, OpenedAt, RegisteredAt - OpenedAt, DispatchedAt - OpenedAt, ClosedAt - OpenedAt, Overdue);
    }
}
