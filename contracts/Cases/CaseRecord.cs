using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Contracts.Cases;

/// <summary>A new case as reported: what, where, of which category, from which source, by whom.</summary>
public sealed record NewCase(
    string Title,
    string Description,
    string CategoryCode,
    CaseSource Source,
    GeoPoint Position,
    string GridCode,
    string ReportedBy,
    string? ExternalReference = null,
    DateTimeOffset? DisposalDueOverride = null);

/// <summary>One step of a case: the action and who made it, with the reason, team or score the step needs.</summary>
public sealed record CaseStep(CaseAction Action, string Actor, string? Reason = null, string? Team = null, int? Score = null);

/// <summary>One line of a case's timeline: who did what, when, from which status to which, and why.</summary>
public sealed record CaseTimelineEntry(DateTimeOffset At, string Actor, string What, CaseStatus? From, CaseStatus? To, string? Reason);

/// <summary>A case as the desk, the API and the indices see it.</summary>
public sealed record CaseRecord(
    string CaseId,
    string Title,
    string Description,
    string CategoryCode,
    CaseUrgency Urgency,
    CaseSource Source,
    GeoPoint Position,
    string GridCode,
    string? ExternalReference,
    CaseStatus Status,
    DateTimeOffset ReportedAt,
    string? Team,
    DateTimeOffset? StepDueAt,
    bool StepOverdue,
    DateTimeOffset? DisposalDueAt,
    DateTimeOffset? DisposedAt,
    bool DisposalOverdue,
    int ReworkCount,
    int? EvaluationScore,
    IReadOnlyList<CaseTimelineEntry> Timeline)
{
    public bool IsOpen => Status is not (CaseStatus.Cancelled or CaseStatus.Closed or CaseStatus.Evaluated);

    /// <summary>Disposed (feedback given, and not sent back) on or before its disposal deadline.</summary>
    public bool DisposedOnTime => DisposedAt is { } at && DisposalDueAt is { } due && at <= due;
}
