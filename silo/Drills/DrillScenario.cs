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
    IReadOnlyList<PlayerAction> Players)
{
    /// <summary>The scenario as the drill page draws it, with the script's actions only for the roles people do not play.</summary>
    public DrillPlan Plan(DrillPlayers playedBy) => new(
        [.. Injects.Select(i => new DrillPlanInject(i.Id, i.Kind.ToString(), i.At))],
        [.. Expected.Select(e => new DrillPlanExpectation(e.Id, e.Action.ToString(), e.After ?? e.Inject, e.Within))],
        [.. Players.Where(p => !DrillRun.PlayedByPeople(playedBy, p.Action)).Select(p => new DrillPlanAction(p.At, p.Action.ToString(), p.By, p.Inject))]);
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
