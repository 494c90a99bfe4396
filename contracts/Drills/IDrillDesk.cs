using System.Text.Json.Serialization;

namespace CityOps.Twin.Contracts.Drills;

/// <summary>A running (or finished) drill as the drill controller sees it; all times are drill time (<see cref="Now"/> is the drill clock's date and time).</summary>
public sealed record DrillStatus(
    string Name,
    TimeSpan Elapsed,
    TimeSpan Duration,
    double Speed,
    bool Paused,
    bool Finished,
    string Mode,
    int Alarms,
    int Cases,
    IReadOnlyList<DrillLine> Recent,
    IReadOnlyList<DrillExpectation> Expected,
    string? Failure,
    bool Preparing = false,
    DrillPlayers? Players = null,
    DateTimeOffset? Now = null,
    // For the drill page's graph; left out of the API's status, which a client polls (the typhoon's has 1,540 injects).
    [property: JsonIgnore] DrillPlan? Plan = null)
{
    /// <summary>preparing (the city's copy is being filed), running, paused or finished.</summary>
    public string State => Finished ? "finished" : Preparing ? "preparing" : Paused ? "paused" : "running";
}

public sealed record DrillLine(TimeSpan At, string Kind, string What);

/// <summary>
/// The scenario a drill plays, as the drill page draws it: its injects, the expected actions they start and what
/// the script will do for the roles nobody plays. Made once when the drill starts; all times are drill time.
/// </summary>
public sealed record DrillPlan(IReadOnlyList<DrillPlanInject> Injects, IReadOnlyList<DrillPlanExpectation> Expected, IReadOnlyList<DrillPlanAction> Script,
    DrillPlanReplay? Replay = null);

/// <summary>The span of the live city's recorded readings the drill replays (its sensor-series from-history), and how many sensors it drives.</summary>
public sealed record DrillPlanReplay(DateTimeOffset From, DateTimeOffset To, int Sensors);

/// <summary>An inject of the scenario: its id, its kind (SensorSeries, ElevatorTrapped...) and when it comes.</summary>
public sealed record DrillPlanInject(string Id, string Kind, TimeSpan At);

/// <summary>An expected action (its id is the evaluation's): the inject that starts its clock (null: the drill's start) and its time.</summary>
public sealed record DrillPlanExpectation(string Id, string Action, string? Inject, TimeSpan Within);

/// <summary>A scripted player's action: when, what, by whom, and for a dispatch the inject whose case it is.</summary>
public sealed record DrillPlanAction(TimeSpan At, string Action, string By, string? Inject);

/// <summary>
/// An expected action as it stands, on the drill clock: pending until it is met or its deadline passes (missed);
/// <see cref="Due"/> is the deadline once its trigger happened (null while the inject has not come), <see cref="By"/>
/// who met it (or acted too late).
/// </summary>
public sealed record DrillExpectation(string Id, string Action, TimeSpan Within, bool Met, TimeSpan? Delay, string Detail, TimeSpan? Due = null, string? By = null, bool Missed = false)
{
    /// <summary>pending, met or missed.</summary>
    public string State => Met ? "met" : Missed ? "missed" : "pending";
}

/// <summary>
/// A hand inject by the drill controller. Which fields it uses depends on its kind: elevator-trapped (Device),
/// sensor-reading (Device, Value), sensor-series (Device, Values: one reading a drill minute from now), hotline-case
/// and road-closure (Lon, Lat, Text, Category), power-cut (Grid).
/// </summary>
public sealed record HandInject(
    string Kind,
    string? Device = null,
    double? Value = null,
    IReadOnlyList<double>? Values = null,
    string? Grid = null,
    double? Lon = null,
    double? Lat = null,
    string? Text = null,
    string? Category = null)
{
    public static readonly IReadOnlyList<string> Kinds = ["elevator-trapped", "sensor-reading", "sensor-series", "hotline-case", "road-closure", "power-cut"];
}

/// <summary>Who plays a drill's roles: people (in the twin view, in the drill's city) or the scenario's scripted players.</summary>
public sealed record DrillPlayers(bool CommanderByPeople, bool OperatorsByPeople)
{
    /// <summary>Every role scripted: a headless run.</summary>
    public static readonly DrillPlayers Scripted = new(false, false);

    /// <summary>Every role played by people: a drill run to exercise them.</summary>
    public static readonly DrillPlayers People = new(true, true);

    public bool AnyPeople => CommanderByPeople || OperatorsByPeople;
}

/// <summary>
/// The drill controller's desk: one drill at a time, against a copy of the city (never the live twin), on a drill
/// clock from 1x to 600x that can be paused; injects by hand during the run; the after-action report at the end.
/// </summary>
public interface IDrillDesk
{
    /// <summary>The scenarios that can be started: the built-in ones and any in the drills folder.</summary>
    IReadOnlyList<string> Scenarios { get; }

    /// <summary>The current or last drill; null before the first.</summary>
    DrillStatus? Current { get; }

    /// <summary>Raised when the drill moves on (at most a few times a second of real time); handlers must only take note.</summary>
    event Action? Changed;

    /// <summary>Starts a drill; the roles people play are left to them, the others to the scenario's scripted players.</summary>
    /// <exception cref="InvalidOperationException">A drill is running already, or the scenario cannot be read (the message says where).</exception>
    Task StartAsync(string scenario, double speed, DrillPlayers? players = null);

    void SetSpeed(double speed);

    /// <summary>Pauses the drill; completes once its clock stands (the minute in hand done), so its status then holds.</summary>
    Task PauseAsync();

    void Resume();

    /// <exception cref="ArgumentException">The inject names no such device or place, or lacks what its kind needs; the message says which.</exception>
    Task InjectAsync(HandInject inject, string by);

    /// <summary>The last finished drill's report as HTML, or null.</summary>
    string? ReportHtml { get; }
}
