using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Contracts.Cases;

/// <summary>A new case as reported: what, where (the point, and the address if the reporter gave one), of which category, from which source, by whom.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Cases.NewCase")]
public sealed record NewCase(
    [property: Id(0)] string Title,
    [property: Id(1)] string Description,
    [property: Id(2)] string CategoryCode,
    [property: Id(3)] CaseSource Source,
    [property: Id(4)] GeoPoint Position,
    [property: Id(5)] string GridCode,
    [property: Id(6)] string ReportedBy,
    [property: Id(7)] string? ExternalReference = null,
    [property: Id(8)] DateTimeOffset? DisposalDueOverride = null,
    [property: Id(9)] string? Address = null);

/// <summary>One step of a case: the action and who made it, with the reason, team or score the step needs.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Cases.CaseStep")]
public sealed record CaseStep(
    [property: Id(0)] CaseAction Action,
    [property: Id(1)] string Actor,
    [property: Id(2)] string? Reason = null,
    [property: Id(3)] string? Team = null,
    [property: Id(4)] int? Score = null);

/// <summary>One line of a case's timeline: who did what, when, from which status to which, and why.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Cases.CaseTimelineEntry")]
public sealed record CaseTimelineEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Actor,
    [property: Id(2)] string What,
    [property: Id(3)] CaseStatus? From,
    [property: Id(4)] CaseStatus? To,
    [property: Id(5)] string? Reason);

/// <summary>
/// A case as the desk, the API and the indices see it. <see cref="StepsOnTime"/> and <see cref="StepsLate"/> count
/// the steps taken so far that answered a deadline (register or cancel, dispatch, feedback for the disposal, the
/// check), each by or after it; the step now pending is late when <see cref="StepOverdue"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Cases.CaseRecord")]
public sealed record CaseRecord(
    [property: Id(0)] string CaseId,
    [property: Id(1)] string Title,
    [property: Id(2)] string Description,
    [property: Id(3)] string CategoryCode,
    [property: Id(4)] CaseUrgency Urgency,
    [property: Id(5)] CaseSource Source,
    [property: Id(6)] GeoPoint Position,
    [property: Id(7)] string GridCode,
    [property: Id(8)] string? ExternalReference,
    [property: Id(9)] CaseStatus Status,
    [property: Id(10)] DateTimeOffset ReportedAt,
    [property: Id(11)] string? Team,
    [property: Id(12)] DateTimeOffset? StepDueAt,
    [property: Id(13)] bool StepOverdue,
    [property: Id(14)] DateTimeOffset? DisposalDueAt,
    [property: Id(15)] DateTimeOffset? DisposedAt,
    [property: Id(16)] bool DisposalOverdue,
    [property: Id(17)] int ReworkCount,
    [property: Id(18)] int? EvaluationScore,
    [property: Id(19)] IReadOnlyList<CaseTimelineEntry> Timeline,
    [property: Id(20)] int StepsOnTime = 0,
    [property: Id(21)] int StepsLate = 0,
    [property: Id(22)] string? Address = null)
{
    public bool IsOpen => Status is not (CaseStatus.Cancelled or CaseStatus.Closed or CaseStatus.Evaluated);

    /// <summary>Disposed (feedback given, and not sent back) on or before its disposal deadline.</summary>
    public bool DisposedOnTime => DisposedAt is { } at && DisposalDueAt is { } due && at <= due;
}
