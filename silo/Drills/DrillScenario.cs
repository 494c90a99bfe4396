using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Mode;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// A drill as a master scenario events list (MSEL): what is injected when, what the players are expected to do
/// by when, and, for headless runs, what scripted players do. Times are offsets from the drill's start.
/// </summary>
public sealed record DrillScenario(
    string Name,
    DateTimeOffset Start,
    TimeSpan Duration,
    IReadOnlyList<DrillInject> Injects,
    IReadOnlyList<ExpectedAction> Expected,
    IReadOnlyList<PlayerAction> Players,
    HistoryReplay? Replay = null)
{
    /// <summary>The scenario as the drill page draws it, with the script's actions only for the roles people do not play.</summary>
    public DrillPlan Plan(DrillPlayers playedBy) => new(
        [.. Injects.Select(i => new DrillPlanInject(i.Id, i.Kind.ToString(), i.At))],
        [.. Expected.Select(e => new DrillPlanExpectation(e.Id, e.Action.ToString(), e.After ?? e.Inject, e.Within))],
        [.. Players.Where(p => !DrillRun.PlayedByPeople(playedBy, p.Action)).Select(p => new DrillPlanAction(p.At, p.Action.ToString(), p.By, p.Inject))],
        Replay is null ? null : new DrillPlanReplay(Replay.From, Replay.To, Replay.Sensors));
}

/// <summary>
/// The scenario's <c>sensor-series: {from-history: {from, to, sensors}}</c>: its sensors' readings come from the live city's
/// recorded history of that span, each at its recorded offset from <see cref="From"/> on the drill clock. The reader checks
/// the span; <see cref="DrillHistoryReplay"/> reads it from the history when the drill is started, adding one series inject
/// a sensor (then <see cref="Sensors"/> and <see cref="Readings"/> say how many).
/// </summary>
/// <param name="Only">The sensors to replay; null for every sensor of the city that no inject of the scenario drives.</param>
/// <param name="Where">The file, line and field for messages about the span ("replay.yaml line 6, sensor-series.from-history").</param>
public sealed record HistoryReplay(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string>? Only, string Where, int Sensors = 0, int Readings = 0)
{
    public TimeSpan Span => To - From;
}

public enum InjectKind
{
    /// <summary>A sensor's readings over time (offsets from the inject).</summary>
    SensorSeries,

    /// <summary>People trapped in an elevator: opens its urgent case.</summary>
    ElevatorTrapped,

    /// <summary>A 12345 hotline call: a case at a point.</summary>
    HotlineCase,

    /// <summary>A camera's AI sees something (waterlogging, a fallen tree...).</summary>
    CameraDetection,

    /// <summary>A grid loses power: its cameras go offline.</summary>
    PowerCut,

    /// <summary>A road is closed at a point (reported by the traffic police, 110): a case of the given category.</summary>
    RoadClosure,
}

/// <summary>One inject. Which fields it uses depends on its kind; the reader checks each kind has what it needs.</summary>
public sealed record DrillInject(
    string Id,
    TimeSpan At,
    InjectKind Kind,
    string? Device,
    IReadOnlyList<(TimeSpan After, double Value)> Series,
    string? Grid,
    GeoPoint? Position,
    string? Category,
    string? Text,
    DetectionKind? Detection,
    double Confidence);

public enum DrillActionKind
{
    /// <summary>Switch the city to emergency (at a level at least as severe as asked).</summary>
    SwitchMode,

    /// <summary>Dispatch the case an inject opened.</summary>
    Dispatch,

    /// <summary>A scripted commander's review: if the twin proposes a switch, confirm it (players only).</summary>
    ConfirmProposal,
}

/// <summary>What the players should do: an action, within how long after what (an inject, or the start).</summary>
public sealed record ExpectedAction(string Id, DrillActionKind Action, string? After, TimeSpan Within, ResponseLevel? Level, string? Inject);

/// <summary>A scripted player's action in a headless run.</summary>
public sealed record PlayerAction(TimeSpan At, DrillActionKind Action, EmergencyKind? Kind, ResponseLevel? Level, string? Inject, string By, string? Team, string Reason);

/// <summary>A scenario file that cannot be run; the message names the file, the line and the field.</summary>
public sealed class DrillScenarioException(string message) : Exception(message);
