namespace CityOps.Twin.Contracts.Cases;

/// <summary>
/// The closed loop as a table: from each status, the steps allowed and where each leads. Cancelled and
/// Evaluated are final. A failed check sends the case back to Dispatched as rework. The case grain enforces it;
/// the case desk offers only the steps it allows.
/// </summary>
public static class CaseLifecycle
{
    private static readonly Dictionary<CaseStatus, Dictionary<CaseAction, CaseStatus>> Transitions = new()
    {
        [CaseStatus.Reported] = new() { [CaseAction.Register] = CaseStatus.Registered, [CaseAction.Cancel] = CaseStatus.Cancelled },
        [CaseStatus.Registered] = new() { [CaseAction.Dispatch] = CaseStatus.Dispatched },
        [CaseStatus.Dispatched] = new() { [CaseAction.StartHandling] = CaseStatus.Handling },
        [CaseStatus.Handling] = new() { [CaseAction.GiveFeedback] = CaseStatus.Feedback },
        [CaseStatus.Feedback] = new() { [CaseAction.PassCheck] = CaseStatus.Closed, [CaseAction.FailCheck] = CaseStatus.Dispatched },
        [CaseStatus.Closed] = new() { [CaseAction.Evaluate] = CaseStatus.Evaluated },
        [CaseStatus.Cancelled] = new(),
        [CaseStatus.Evaluated] = new(),
    };

    public static IReadOnlyList<CaseAction> AllowedFrom(CaseStatus status) => [.. Transitions[status].Keys];

    /// <summary>What a step needs besides the name of who takes it.</summary>
    public static StepInput InputOf(CaseAction action) => action switch
    {
        CaseAction.Cancel or CaseAction.FailCheck => StepInput.Reason,
        CaseAction.Dispatch => StepInput.Team,
        CaseAction.Evaluate => StepInput.Score,
        _ => StepInput.None,
    };

    public static bool TryNext(CaseStatus status, CaseAction action, out CaseStatus next) => Transitions[status].TryGetValue(action, out next);
}

/// <summary>What a step of the loop asks for: a reason (cancel, failed check), a team (dispatch) or a score from 1 to 5 (evaluate).</summary>
public enum StepInput
{
    None,
    Reason,
    Team,
    Score,
}
