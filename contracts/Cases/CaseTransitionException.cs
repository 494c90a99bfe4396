namespace CityOps.Twin.Contracts.Cases;

/// <summary>A step the case's status does not allow; says which steps it does.</summary>
public sealed class CaseTransitionException(string caseId, CaseStatus status, CaseAction action, IReadOnlyList<CaseAction> allowed)
    : InvalidOperationException($"Case {caseId} is {status}; {action} is not a step from there. Allowed: {(allowed.Count == 0 ? "none (the case is finished)" : string.Join(", ", allowed))}.")
{
    public string CaseId { get; } = caseId;

    public CaseStatus Status { get; } = status;

    public CaseAction Action { get; } = action;

    public IReadOnlyList<CaseAction> Allowed { get; } = allowed;
}

/// <summary>A step or report missing what it needs (a reason, a team, a known category...); says what.</summary>
public sealed class CaseInputException(string message) : ArgumentException(message);
