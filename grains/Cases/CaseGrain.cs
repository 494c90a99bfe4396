using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Grains.Live;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Grains.Placement;

namespace CityOps.Twin.Grains.Cases;

/// <summary>
/// One case through the closed loop. Each step is checked against <see cref="CaseLifecycle"/>, written through
/// (durable before the caller hears of it) with a timeline entry, and sets the next step's deadline from the
/// category and the city's current mode. The earliest pending deadline is a one-shot reminder: when it comes
/// due (also after a restart) the step, or the disposal, is flagged overdue.
/// </summary>
[GridPlacement]
public sealed class CaseGrain(
    [PersistentState("case", TwinGrains.Storage)] IPersistentState<CaseState> state,
    CaseCategoryCatalogue catalogue,
    CityModeCache modes,
    IHistoryAppender history,
    TimeProvider time) : Grain, ICaseGrain, IRemindable
{
    private const string DeadlineReminder = "deadline";

    /// <summary>Orleans' shortest reminder period: how soon a deadline's reminder ticks again if a tick leaves it registered.</summary>
    private static readonly TimeSpan DeadlineRecheck = TimeSpan.FromMinutes(1);

    public Task<CaseRecord?> Get() => Task.FromResult(state.State.Record);

    public async Task<CaseRecord> Report(NewCase report)
    {
        if (state.State.Record is { } existing)
        {
            return existing;
        }

        Require(!string.IsNullOrWhiteSpace(report.Title), "a case needs a title");
        Require(!string.IsNullOrWhiteSpace(report.ReportedBy), "a case needs the name of who reported it");
        Require(!string.IsNullOrWhiteSpace(report.GridCode), "a case needs the grid it lies in");
        Require(report.Position.IsValid, $"position {report.Position} is not a longitude/latitude");
        var category = catalogue.Get(report.CategoryCode);
        var deadlines = category.DeadlinesIn(await ModeOfAsync(report.GridCode));
        var now = time.GetUtcNow();

        var previous = state.State.Record;
        state.State.Record = new CaseRecord(
            this.GetPrimaryKeyString(), report.Title, report.Description, category.Code, category.Urgency, report.Source, report.Position,
            report.GridCode, report.ExternalReference, CaseStatus.Reported, now, Team: null,
            StepDueAt: now.AddMinutes(deadlines.Register), StepOverdue: false,
            DisposalDueAt: report.DisposalDueOverride, DisposedAt: null, DisposalOverdue: false,
            ReworkCount: 0, EvaluationScore: null,
            Timeline: [new CaseTimelineEntry(now, report.ReportedBy, "上报 Reported", null, CaseStatus.Reported, report.Description)],
            Address: report.Address);
        await SaveAndPublishAsync(previous, "report");
        return state.State.Record;
    }

    public async Task<CaseRecord> Act(CaseStep step)
    {
        var record = state.State.Record ?? throw new CaseInputException($"Case {this.GetPrimaryKeyString()} has not been reported.");
        if (!CaseLifecycle.TryNext(record.Status, step.Action, out var next))
        {
            throw new CaseTransitionException(record.CaseId, record.Status, step.Action, CaseLifecycle.AllowedFrom(record.Status));
        }

        Require(!string.IsNullOrWhiteSpace(step.Actor), $"{step.Action} needs the name of who does it");
        var input = CaseLifecycle.InputOf(step.Action);
        Require(input != StepInput.Reason || !string.IsNullOrWhiteSpace(step.Reason), $"{step.Action} needs a reason");
        Require(input != StepInput.Team || !string.IsNullOrWhiteSpace(step.Team), "Dispatch needs the team the case goes to");
        Require(input != StepInput.Score || step.Score is >= 1 and <= 5, $"Evaluate needs a score from 1 to 5; got {step.Score?.ToString() ?? "none"}");

        var deadlines = catalogue.Get(record.CategoryCode).DeadlinesIn(await ModeOfAsync(record.GridCode));
        var now = time.GetUtcNow();
        var disposalDue = record.DisposalDueAt;
        // Every step with a deadline counts for the on-time rate; starting to handle keeps the disposal's deadline,
        // which the feedback answers.
        var answersDeadline = step.Action != CaseAction.StartHandling && record.StepDueAt is not null;
        var late = answersDeadline && (record.StepOverdue || now > record.StepDueAt);
        record = step.Action switch
        {
            CaseAction.Register => record with { StepDueAt = now.AddMinutes(deadlines.Dispatch) },
            CaseAction.Cancel => record with { StepDueAt = null },
            CaseAction.Dispatch => record with
            {
                Team = step.Team,
                StepDueAt = disposalDue ?? now.AddMinutes(deadlines.Dispose),
                DisposalDueAt = disposalDue ?? now.AddMinutes(deadlines.Dispose),
            },
            CaseAction.StartHandling => record,
            CaseAction.GiveFeedback => record with
            {
                DisposedAt = now,
                DisposalOverdue = record.DisposalOverdue || now > record.DisposalDueAt,
                StepDueAt = now.AddMinutes(deadlines.Check),
            },
            CaseAction.PassCheck => record with { StepDueAt = null },
            CaseAction.FailCheck => record with
            {
                ReworkCount = record.ReworkCount + 1,
                DisposedAt = null,
                DisposalOverdue = false,
                StepDueAt = now.AddMinutes(deadlines.Dispose),
                DisposalDueAt = now.AddMinutes(deadlines.Dispose),
            },
            CaseAction.Evaluate => record with { EvaluationScore = step.Score },
            _ => throw new CaseInputException($"Unknown step {step.Action}."),
        };

        var keepsStepDeadline = step.Action == CaseAction.StartHandling;
        var previous = state.State.Record;
        state.State.Record = record with
        {
            Status = next,
            StepOverdue = keepsStepDeadline && record.StepOverdue,
            StepsOnTime = record.StepsOnTime + (answersDeadline && !late ? 1 : 0),
            StepsLate = record.StepsLate + (late ? 1 : 0),
            Timeline = [.. record.Timeline, new CaseTimelineEntry(now, step.Actor, Label(step.Action), record.Status, next, step.Reason ?? step.Team)],
        };
        await SaveAndPublishAsync(previous, step.Action.ToString());
        return state.State.Record;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Record is not { IsOpen: true } record)
        {
            if (await this.GetReminder(reminderName) is { } finished)
            {
                await this.UnregisterReminder(finished);
            }
            return;
        }

        var now = time.GetUtcNow();
        var stepOverdue = !record.StepOverdue && record.StepDueAt <= now;
        var disposalOverdue = !record.DisposalOverdue && record.DisposedAt is null && record.DisposalDueAt <= now
            && record.Status is CaseStatus.Dispatched or CaseStatus.Handling;
        if (stepOverdue || disposalOverdue)
        {
            var previous = state.State.Record;
            state.State.Record = record with
            {
                StepOverdue = record.StepOverdue || stepOverdue,
                DisposalOverdue = record.DisposalOverdue || disposalOverdue,
                Timeline = [.. record.Timeline, new CaseTimelineEntry(now, "system", "超期 Overdue", record.Status, record.Status, $"due {record.StepDueAt:u}")],
            };
            await SaveAndPublishAsync(previous, "overdue");
            return;
        }
        await ScheduleDeadlineAsync();
    }

    /// <summary>
    /// Durable first, then the next deadline, then the grid hears of it: a step is acknowledged only once all three
    /// are done. A write that fails (the database is unreachable, or another silo wrote this case since it was read)
    /// puts the case back as it was and refuses the step with <see cref="TwinNotDurableException"/>: nothing in
    /// memory runs ahead of what is stored.
    /// </summary>
    private async Task SaveAndPublishAsync(CaseRecord? previous, string what)
    {
        var record = state.State.Record!;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception exception)
        {
            state.State.Record = previous;
            if (exception is Orleans.Storage.InconsistentStateException)
            {
                // Another writer holds a newer version: take it, so the next step starts from what is stored.
                await state.ReadStateAsync();
                throw new TwinNotDurableException(
                    $"Case {record.CaseId}: {what} was not recorded: another silo changed this case since it was read (two silos over one database?). The case now shows what is stored; nothing was overwritten.", exception);
            }
            throw new TwinNotDurableException(
                $"Case {record.CaseId}: {what} was not recorded: the database did not accept it ({exception.Message}). Nothing changed; try again when the database is back.", exception);
        }
        var step = record.Timeline[^1];
        history.Event(new HistoryEvent(step.At, HistoryEventKind.Case, record.CaseId, record.GridCode, step.From?.ToString(), step.To?.ToString(),
            Actor: step.Actor, Note: step.Reason is null ? step.What : $"{step.What}: {step.Reason}"));
        try
        {
            await ScheduleDeadlineAsync();
        }
        catch (Exception)
        {
            // The step is durable; only its deadline's reminder did not reach the database. Try again until it does,
            // instead of telling the caller a stored step failed.
            _deadlineRetry ??= this.RegisterGrainTimer(RetryDeadlineAsync, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        }
        await TwinPublish.CaseAsync(GrainFactory, record);
    }

    private IGrainTimer? _deadlineRetry;

    private async Task RetryDeadlineAsync(CancellationToken cancellationToken)
    {
        await ScheduleDeadlineAsync();
        _deadlineRetry?.Dispose();
        _deadlineRetry = null;
    }

    /// <summary>One reminder, at the earliest deadline not yet passed and flagged; none once the case is finished.</summary>
    private async Task ScheduleDeadlineAsync()
    {
        var record = state.State.Record!;
        DateTimeOffset?[] pending =
        [
            record.StepOverdue ? null : record.StepDueAt,
            record.DisposalOverdue || record.DisposedAt is not null ? null : record.DisposalDueAt,
        ];
        var next = record.IsOpen ? pending.Where(d => d is not null).Min() : null;
        if (next is { } due)
        {
            var delay = due - time.GetUtcNow();
            // Orleans has no one-shot reminder: it ticks again after DeadlineRecheck unless the tick schedules the
            // next deadline or finds none and unregisters it, so a lost tick is only late, never missed.
            await this.RegisterOrUpdateReminder(DeadlineReminder, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, DeadlineRecheck);
        }
        else if (await this.GetReminder(DeadlineReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private Task<OperatingMode> ModeOfAsync(string gridCode) => Task.FromResult(modes.For(gridCode));

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new CaseInputException(problem + ".");
        }
    }

    private static string Label(CaseAction action) => action switch
    {
        CaseAction.Register => "立案 Registered",
        CaseAction.Cancel => "作废 Cancelled",
        CaseAction.Dispatch => "派遣 Dispatched",
        CaseAction.StartHandling => "处置 Handling",
        CaseAction.GiveFeedback => "反馈 Feedback",
        CaseAction.PassCheck => "核查通过 Check passed",
        CaseAction.FailCheck => "核查不通过 Check failed (rework)",
        CaseAction.Evaluate => "综合评价 Evaluated",
        _ => action.ToString(),
    };
}

public sealed class CaseState
{
    public CaseRecord? Record { get; set; }
}
