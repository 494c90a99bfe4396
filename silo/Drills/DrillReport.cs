using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Silo.Drills;

/// <summary>One line of a drill's timeline, at drill time (offset from its start).</summary>
public sealed record DrillEvent(TimeSpan At, string Kind, string What, string? Reference);

/// <summary>An expected action, met or missed, with how long the players took.</summary>
/// <remarks><see cref="By"/> is who met it (or acted too late); <see cref="Due"/> the deadline on the drill clock once its trigger happened.</remarks>
public sealed record ExpectedResult(string Id, DrillActionKind Action, bool Met, TimeSpan? Delay, TimeSpan Within, string Detail, string? By = null, TimeSpan? Due = null, bool Missed = false);

/// <summary>A case of the drill: when it opened and how long each step took, against its deadlines; its category code and source.</summary>
public sealed record DrillCase(string CaseId, string Title, string? Inject, TimeSpan OpenedAt, TimeSpan? RegisteredAfter, TimeSpan? DispatchedAfter, TimeSpan? ClosedAfter, bool Overdue, string? Category = null, CaseSource? Source = null);

/// <summary>A district's indices over the drill, sampled with the city's once a drill minute.</summary>
public sealed record DistrictIndices(string Code, string Name, IReadOnlyList<VitalSignsSample> Samples);

/// <summary>
/// The after-action report: what happened when, what was expected and met, response times, switches, the indices
/// over time (the city's and each district's), the CAP alerts, and the <see cref="DrillSummary"/> worked out from them.
/// </summary>
public sealed record DrillReport(
    string Name,
    DateTimeOffset Start,
    TimeSpan Duration,
    double Speed,
    IReadOnlyList<DrillEvent> Timeline,
    IReadOnlyList<ExpectedResult> Expected,
    IReadOnlyList<DrillCase> Cases,
    IReadOnlyList<ModeChange> ModeSwitches,
    IReadOnlyList<VitalSignsSample> Indices,
    IReadOnlyList<string> CapAlerts,
    Contracts.Drills.DrillPlayers? Players = null,
    IReadOnlyList<DistrictIndices>? Districts = null,
    DrillSummary? Summary = null);

/// <summary>Where a running drill stands: the latest events (newest first), counts, expected actions so far and the mode.</summary>
public sealed record DrillProgress(IReadOnlyList<DrillEvent> Recent, int Alarms, int Cases, IReadOnlyList<ExpectedResult> Expected, CityMode? Mode);
