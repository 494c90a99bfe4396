using System.Text.Json;
using System.Text.Json.Serialization;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Silo.Security;

/// <summary>
/// The one place a person's state-changing action is authorized and audited, for the view and the API alike.
/// A signed-in user's roles are taken from the user directory at the moment of the action (not from a session
/// that may be hours old), so a role taken away ends a user's rights within seconds, also in an open view.
/// </summary>
public sealed class TwinCommands(
    TwinGuard guard, ICaseIntake intake, IClusterClient client, IModeSwitchboard switchboard, IDrillDesk drills, IAuditLog audit) : ITwinCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public async Task<CaseRecord> ReportCaseAsync(TwinActor actor, CaseReport report)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.WorkCases, "case.report", null);
        try
        {
            var record = await intake.ReportAsync(report with { ReportedBy = actor.Name });
            await audit.AppendAsync(AuditRecord.Of(actor, "case.report", record.CaseId, "ok", after: Describe(record), detail: record.Title));
            return record;
        }
        catch (Exception exception) when (exception is CaseInputException or TwinNotDurableException)
        {
            await audit.AppendAsync(AuditRecord.Of(actor, "case.report", null, Outcome(exception), detail: exception.Message));
            throw;
        }
    }

    public async Task<CaseRecord> StepCaseAsync(TwinActor actor, string caseId, CaseStep step)
    {
        var what = $"case.{step.Action}";
        actor = await guard.AuthorizeAsync(actor, TwinAction.WorkCases, what, caseId);
        var grain = client.GetGrain<ICaseGrain>(caseId);
        var before = await grain.Get() ?? throw new KeyNotFoundException($"There is no case '{caseId}'.");
        try
        {
            var after = await grain.Act(step with { Actor = actor.Name });
            await audit.AppendAsync(AuditRecord.Of(actor, what, caseId, "ok", Describe(before), Describe(after), step.Reason ?? step.Team ?? step.Score?.ToString()));
            return after;
        }
        catch (Exception exception) when (exception is CaseTransitionException or CaseInputException or TwinNotDurableException)
        {
            await audit.AppendAsync(AuditRecord.Of(actor, what, caseId, Outcome(exception), Describe(before), detail: exception.Message));
            throw;
        }
    }

    public async Task<ModeChange> SwitchModeAsync(TwinActor actor, ModeSwitch request)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.SwitchMode, "mode.switch", "city");
        var before = await client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode();
        try
        {
            var change = await switchboard.SwitchAsync(request with { By = actor.Name, Districts = request.Districts ?? [] });
            await audit.AppendAsync(AuditRecord.Of(actor, "mode.switch", "city", "ok", Serialize(change.From), Serialize(change.To), change.Reason));
            return change;
        }
        catch (ModeSwitchException exception)
        {
            await audit.AppendAsync(AuditRecord.Of(actor, "mode.switch", "city", "refused", Serialize(before), detail: exception.Message));
            throw;
        }
        catch (Exception exception) when (exception is not TwinForbiddenException)
        {
            await audit.AppendAsync(AuditRecord.Of(actor, "mode.switch", "city", "failed", Serialize(before), detail: exception.Message));
            throw new TwinNotDurableException($"The switch was not recorded: {exception.Message}. The city stays {before.Operating}; try again.", exception);
        }
    }

    public async Task StartDrillAsync(TwinActor actor, string scenario, double speed, DrillPlayers? players = null)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.RunDrill, "drill.start", scenario);
        var played = players ?? DrillPlayers.Scripted;
        await AuditedAsync(actor, "drill.start", scenario,
            $"speed {speed}; commander {(played.CommanderByPeople ? "people" : "scripted")}, operators {(played.OperatorsByPeople ? "people" : "scripted")}",
            () => drills.StartAsync(scenario, speed, played));
    }

    public async Task DirectDrillAsync(TwinActor actor, DrillDirection direction, double? speed = null)
    {
        var what = $"drill.{direction.ToString().ToLowerInvariant()}";
        var target = drills.Current?.Name;
        actor = await guard.AuthorizeAsync(actor, TwinAction.DirectDrill, what, target);
        await AuditedAsync(actor, what, target, speed is { } s ? $"speed {s}" : null, async () =>
        {
            if (drills.Current is not { Finished: false })
            {
                throw new InvalidOperationException("No drill is running: start one first.");
            }
            switch (direction)
            {
                case DrillDirection.Pause:
                    await drills.PauseAsync();
                    break;
                case DrillDirection.Resume:
                    drills.Resume();
                    break;
                default:
                    drills.SetSpeed(speed is { } v && v is >= 1 and <= 600 ? v
                        : throw new ArgumentException($"A drill's speed is 1 to 600 (times real time); {(speed is { } bad ? bad.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")} is not."));
                    break;
            }
        });
    }

    public async Task InjectAsync(TwinActor actor, HandInject inject)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.RunDrill, "drill.inject", inject.Device);
        await AuditedAsync(actor, "drill.inject", inject.Device ?? inject.Grid, Describe(inject), () => drills.InjectAsync(inject, actor.Name));
    }

    private async Task AuditedAsync(TwinActor actor, string what, string? target, string? detail, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            await audit.AppendAsync(AuditRecord.Of(actor, what, target, "refused", detail: exception.Message));
            throw;
        }
        await audit.AppendAsync(AuditRecord.Of(actor, what, target, "ok", detail: detail));
    }

    private static string Describe(HandInject inject) => string.Join(' ', new[]
    {
        inject.Kind, inject.Device, inject.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        inject.Values is { } values ? string.Join(',', values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) : null,
        inject.Grid, inject.Lon is { } lon && inject.Lat is { } lat ? FormattableString.Invariant($"lat {lat}, long {lon}") : null, inject.Category, inject.Text,
    }.Where(p => !string.IsNullOrEmpty(p)));

    private static string Outcome(Exception exception) => exception is TwinNotDurableException ? "failed" : "refused";

    private static string Describe(CaseRecord record) =>
        JsonSerializer.Serialize(new { status = record.Status, team = record.Team, stepDueAt = record.StepDueAt, reworks = record.ReworkCount, score = record.EvaluationScore }, Json);

    private static string Serialize(CityMode mode) => JsonSerializer.Serialize(mode, Json);
}
