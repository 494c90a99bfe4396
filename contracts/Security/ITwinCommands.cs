using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Contracts.Mode;

namespace CityOps.Twin.Contracts.Security;

/// <summary>How a drill is directed while it runs.</summary>
public enum DrillDirection
{
    Pause,
    Resume,
    SetSpeed,
}

/// <summary>
/// Every state-changing action a person takes on the twin, through the view or the API: each one is checked
/// against the actor's roles on the server (a forbidden action is audited and throws
/// <see cref="TwinForbiddenException"/>) and audited with its outcome, and for case steps and mode switches the
/// state before and after.
/// </summary>
public interface ITwinCommands
{
    /// <exception cref="CaseInputException">The report lacks what it needs.</exception>
    /// <exception cref="TwinNotDurableException">The case could not be stored; it was not opened.</exception>
    Task<CaseRecord> ReportCaseAsync(TwinActor actor, CaseReport report);

    /// <summary>Takes one step of a case, as the actor (the step's actor is the signed-in user, whatever the request says).</summary>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    /// <exception cref="CaseTransitionException">The case's status does not allow the step.</exception>
    /// <exception cref="CaseInputException">The step lacks a reason, team or score.</exception>
    /// <exception cref="TwinNotDurableException">The step could not be stored; it was not taken.</exception>
    Task<CaseRecord> StepCaseAsync(TwinActor actor, string caseId, CaseStep step);

    /// <exception cref="ModeSwitchException">The switch is refused; the message says why.</exception>
    Task<ModeChange> SwitchModeAsync(TwinActor actor, ModeSwitch request);

    /// <exception cref="InvalidOperationException">A drill is running already, or the scenario cannot be read.</exception>
    Task StartDrillAsync(TwinActor actor, string scenario, double speed, DrillPlayers? players = null);

    Task DirectDrillAsync(TwinActor actor, DrillDirection direction, double? speed = null);

    /// <exception cref="ArgumentException">The inject names no such device or lacks its value.</exception>
    Task InjectAsync(TwinActor actor, HandInject inject);

}
