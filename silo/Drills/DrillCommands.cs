using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Silo.Security;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// A person's actions in a drill's city (a user who entered the drill, or the drill's API): authorized by the same
/// roles as in the live city, taken on the drill's grains only, and recorded in the drill's timeline with who did
/// them (the recorder notes every case step and switch with its actor), not in the live city's audit log. A case id
/// is looked up in the drill's city alone, so a live case's id gets "no such case in the drill" however it is sent.
/// Directing the drill itself (start, speed, injects) is the desk's, audited as before.
/// </summary>
public sealed class DrillCommands(DrillRun run, TwinGuard guard, Func<ITwinCommands> desk) : ITwinCommands
{
    public async Task<CaseRecord> ReportCaseAsync(TwinActor actor, CaseReport report)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.WorkCases, "drill.case.report", null);
        try
        {
            return await run.Intake.ReportAsync(report with { ReportedBy = actor.Name });
        }
        catch (CaseInputException exception)
        {
            run.NoteRefused(actor.Name, "上报案件 report a case", exception.Message);
            throw;
        }
    }

    public async Task<CaseRecord> StepCaseAsync(TwinActor actor, string caseId, CaseStep step)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.WorkCases, $"drill.case.{step.Action}", caseId);
        var grain = run.Client.GetGrain<ICaseGrain>(caseId);
        if (await grain.Get() is null)
        {
            run.NoteRefused(actor.Name, $"{step.Action} {caseId}", "演练城市中没有此案件 no such case in the drill's city");
            throw new KeyNotFoundException($"There is no case '{caseId}' in the drill's city: in a drill, people act only on the drill's own cases.");
        }
        try
        {
            return await grain.Act(step with { Actor = actor.Name });
        }
        catch (Exception exception) when (exception is CaseTransitionException or CaseInputException)
        {
            run.NoteRefused(actor.Name, $"{step.Action} {caseId}", exception.Message);
            throw;
        }
    }

    public async Task<ModeChange> SwitchModeAsync(TwinActor actor, ModeSwitch request)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.SwitchMode, "drill.mode.switch", "city");
        try
        {
            return await run.Switchboard.SwitchAsync(request with { By = actor.Name, Districts = request.Districts ?? [] });
        }
        catch (ModeSwitchException exception)
        {
            run.NoteRefused(actor.Name, "平急切换 switch", exception.Message);
            throw;
        }
    }

    public Task StartDrillAsync(TwinActor actor, string scenario, double speed, DrillPlayers? players = null) =>
        desk().StartDrillAsync(actor, scenario, speed, players);

    public Task DirectDrillAsync(TwinActor actor, DrillDirection direction, double? speed = null) => desk().DirectDrillAsync(actor, direction, speed);

    public Task InjectAsync(TwinActor actor, HandInject inject) => desk().InjectAsync(actor, inject);
}
