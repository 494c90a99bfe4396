namespace CityOps.Twin.Contracts.Cases;

/// <summary>
/// A step the case's status does not allow; says which steps it does. Serializable so that it reaches the API (409)
/// across a grain call as itself, with the allowed steps, not as Orleans' fallback exception.
/// </summary>
[GenerateSerializer, Alias("CityOps.Cases.CaseTransitionException")]
public sealed class CaseTransitionException(string caseId, CaseStatus status, CaseAction action, IReadOnlyList<CaseAction> allowed)
    : InvalidOperationException($"Case {caseId} is {status}; {action} is not a step from there. Allowed: {(allowed.Count == 0 ? "none (the case is finished)" : string.Join(", ", allowed))}.")
{
    [Id(0)]
    public string CaseId { get; } = caseId;

    [Id(1)]
    public CaseStatus Status { get; } = status;

    [Id(2)]
    public CaseAction Action { get; } = action;

    [Id(3)]
    public IReadOnlyList<CaseAction> Allowed { get; } = allowed;
}

/// <summary>A step or report missing what it needs (a reason, a team, a known category...); says what. The API answers 400.</summary>
[GenerateSerializer, Alias("CityOps.Cases.CaseInputException")]
public sealed class CaseInputException(string message) : ArgumentException(message);
