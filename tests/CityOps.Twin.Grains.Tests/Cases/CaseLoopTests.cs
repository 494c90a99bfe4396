using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Tests.Support;

namespace CityOps.Twin.Grains.Tests.Cases;

public sealed class CaseLoopTests
{
    private static readonly NewCase ManholeCover = new(
        "井盖缺失 漕溪北路", "Manhole cover missing in the slow lane", "0301", CaseSource.Patrol,
        new GeoPoint(121.4372, 31.1886), "310104-0012", "巡查员 王芳");

    /// <summary>DESIGN.md's loop, written out independently of the grain's table: from each status, the steps allowed and where they lead.</summary>
    private static readonly Dictionary<CaseStatus, Dictionary<CaseAction, CaseStatus>> Loop = new()
    {
        [CaseStatus.Reported] = new() { [CaseAction.Register] = CaseStatus.Registered, [CaseAction.Cancel] = CaseStatus.Cancelled },
        [CaseStatus.Registered] = new() { [CaseAction.Dispatch] = CaseStatus.Dispatched },
        [CaseStatus.Cancelled] = new(),
        [CaseStatus.Dispatched] = new() { [CaseAction.StartHandling] = CaseStatus.Handling },
        [CaseStatus.Handling] = new() { [CaseAction.GiveFeedback] = CaseStatus.Feedback },
        [CaseStatus.Feedback] = new() { [CaseAction.PassCheck] = CaseStatus.Closed, [CaseAction.FailCheck] = CaseStatus.Dispatched },
        [CaseStatus.Closed] = new() { [CaseAction.Evaluate] = CaseStatus.Evaluated },
        [CaseStatus.Evaluated] = new(),
    };

    private static readonly Dictionary<CaseStatus, CaseAction[]> PathTo = new()
    {
        [CaseStatus.Reported] = [],
        [CaseStatus.Registered] = [CaseAction.Register],
        [CaseStatus.Cancelled] = [CaseAction.Cancel],
        [CaseStatus.Dispatched] = [CaseAction.Register, CaseAction.Dispatch],
        [CaseStatus.Handling] = [CaseAction.Register, CaseAction.Dispatch, CaseAction.StartHandling],
        [CaseStatus.Feedback] = [CaseAction.Register, CaseAction.Dispatch, CaseAction.StartHandling, CaseAction.GiveFeedback],
        [CaseStatus.Closed] = [CaseAction.Register, CaseAction.Dispatch, CaseAction.StartHandling, CaseAction.GiveFeedback, CaseAction.PassCheck],
        [CaseStatus.Evaluated] = [CaseAction.Register, CaseAction.Dispatch, CaseAction.StartHandling, CaseAction.GiveFeedback, CaseAction.PassCheck, CaseAction.Evaluate],
    };

    public static TheoryData<CaseStatus, CaseAction> EveryStatusAndStep()
    {
        var data = new TheoryData<CaseStatus, CaseAction>();
        foreach (var status in Enum.GetValues<CaseStatus>())
        {
            foreach (var action in Enum.GetValues<CaseAction>())
            {
                data.Add(status, action);
            }
        }
        return data;
    }

    private static CaseStep Step(CaseAction action) => new(action, "值班员 李明", Reason: "核实情况 verified on site", Team: "徐汇区市政养护一队", Score: 4);

    private static async Task<ICaseGrain> CaseAt(TwinSilo silo, CaseStatus status, string id)
    {
        var grain = silo.Grain<ICaseGrain>(id);
        await grain.Report(ManholeCover);
        foreach (var action in PathTo[status])
        {
            await grain.Act(Step(action));
        }
        return grain;
    }

    [Theory]
    [MemberData(nameof(EveryStatusAndStep))]
    public async Task Every_step_is_allowed_exactly_where_the_loop_allows_it(CaseStatus status, CaseAction action)
    {
        await using var silo = await TwinSilo.StartAsync();
        var grain = await CaseAt(silo, status, "C-1");
        var before = (await grain.Get())!;

        if (Loop[status].TryGetValue(action, out var expected))
        {
            var after = await grain.Act(Step(action));
            Assert.Equal(expected, after.Status);
            Assert.Equal(before.Timeline.Count + 1, after.Timeline.Count);
        }
        else
        {
            var refused = await Assert.ThrowsAsync<CaseTransitionException>(() => grain.Act(Step(action)));
            Assert.Equal(Loop[status].Keys.Order(), refused.Allowed.Order());
            Assert.Contains($"is {status}", refused.Message);
            Assert.Equal(before, await grain.Get());
        }
    }

    [Fact]
    public async Task A_case_that_fails_its_check_goes_back_for_rework_and_is_counted()
    {
        await using var silo = await TwinSilo.StartAsync();
        var grain = await CaseAt(silo, CaseStatus.Feedback, "C-rework");

        var reworked = await grain.Act(new CaseStep(CaseAction.FailCheck, "核查员 张伟", Reason: "井盖未固定 cover not fixed"));
        await grain.Act(Step(CaseAction.StartHandling));
        await grain.Act(Step(CaseAction.GiveFeedback));
        var closed = await grain.Act(new CaseStep(CaseAction.PassCheck, "核查员 张伟"));
        var evaluated = await grain.Act(new CaseStep(CaseAction.Evaluate, "值班长", Score: 5));

        Assert.Equal(CaseStatus.Dispatched, reworked.Status);
        Assert.Equal(1, reworked.ReworkCount);
        Assert.Equal(CaseStatus.Closed, closed.Status);
        Assert.Equal(1, closed.ReworkCount);
        Assert.Equal(5, evaluated.EvaluationScore);
        Assert.Equal(
            ["上报 Reported", "立案 Registered", "派遣 Dispatched", "处置 Handling", "反馈 Feedback", "核查不通过 Check failed (rework)",
             "处置 Handling", "反馈 Feedback", "核查通过 Check passed", "综合评价 Evaluated"],
            evaluated.Timeline.Select(t => t.What));
        Assert.Equal("井盖未固定 cover not fixed", evaluated.Timeline[5].Reason);
        Assert.Equal("核查员 张伟", evaluated.Timeline[5].Actor);
    }

    [Theory]
    [InlineData(CaseAction.Cancel, "", null, null, "Cancel needs a reason")]
    [InlineData(CaseAction.Register, "", null, null, "")]
    public async Task A_step_without_what_it_needs_is_refused_and_changes_nothing(CaseAction action, string reason, string? team, int? score, string message)
    {
        await using var silo = await TwinSilo.StartAsync();
        var grain = await CaseAt(silo, CaseStatus.Reported, "C-input");
        var before = await grain.Get();

        var error = await Assert.ThrowsAsync<CaseInputException>(() => grain.Act(new CaseStep(action, action == CaseAction.Register ? " " : "值班员", reason, team, score)));

        Assert.Contains(message == string.Empty ? "needs the name of who does it" : message, error.Message);
        Assert.Equal(before, await grain.Get());
    }

    [Fact]
    public async Task Dispatch_needs_a_team_failing_a_check_needs_a_reason_and_a_score_is_one_to_five()
    {
        await using var silo = await TwinSilo.StartAsync();
        var registered = await CaseAt(silo, CaseStatus.Registered, "C-team");
        var feedback = await CaseAt(silo, CaseStatus.Feedback, "C-check");
        var closed = await CaseAt(silo, CaseStatus.Closed, "C-score");

        Assert.Contains("Dispatch needs the team", (await Assert.ThrowsAsync<CaseInputException>(() => registered.Act(new CaseStep(CaseAction.Dispatch, "值班员")))).Message);
        Assert.Contains("FailCheck needs a reason", (await Assert.ThrowsAsync<CaseInputException>(() => feedback.Act(new CaseStep(CaseAction.FailCheck, "核查员")))).Message);
        Assert.Contains("score from 1 to 5; got 6", (await Assert.ThrowsAsync<CaseInputException>(() => closed.Act(new CaseStep(CaseAction.Evaluate, "值班长", Score: 6)))).Message);
        Assert.Contains("got none", (await Assert.ThrowsAsync<CaseInputException>(() => closed.Act(new CaseStep(CaseAction.Evaluate, "值班长")))).Message);
    }

    [Fact]
    public async Task A_report_with_an_unknown_category_is_refused_with_the_known_codes()
    {
        await using var silo = await TwinSilo.StartAsync();

        var error = await Assert.ThrowsAsync<CaseInputException>(() => silo.Grain<ICaseGrain>("C-x").Report(ManholeCover with { CategoryCode = "9999" }));

        Assert.Contains("Category '9999' is not in the catalogue", error.Message);
        Assert.Contains("0301", error.Message);
        Assert.Null(await silo.Grain<ICaseGrain>("C-x").Get());
    }

    [Fact]
    public async Task Reporting_the_same_case_again_returns_it_unchanged()
    {
        await using var silo = await TwinSilo.StartAsync();
        var first = await silo.Grain<ICaseGrain>("S-tide-0001").Report(ManholeCover);

        var again = await silo.Grain<ICaseGrain>("S-tide-0001").Report(ManholeCover with { Title = "another title" });

        Assert.Equal(first, again);
    }

    [Fact]
    public async Task A_step_not_taken_within_its_deadline_is_flagged_overdue_and_the_next_step_gets_a_fresh_deadline()
    {
        await using var silo = await TwinSilo.StartAsync();
        var grain = silo.Grain<ICaseGrain>("C-late");
        var reported = await grain.Report(ManholeCover);

        // Missing manhole covers are urgent: 15 minutes to register.
        Assert.Equal(reported.ReportedAt.AddMinutes(15), reported.StepDueAt);
        await silo.AdvanceAsync(TimeSpan.FromMinutes(14));
        Assert.False((await grain.Get())!.StepOverdue);

        await silo.AdvanceAsync(TimeSpan.FromMinutes(1));
        var late = (await grain.Get())!;
        Assert.True(late.StepOverdue);
        Assert.Equal("超期 Overdue", late.Timeline[^1].What);

        var registered = await grain.Act(Step(CaseAction.Register));
        Assert.False(registered.StepOverdue);
        Assert.Equal(silo.Time.GetUtcNow().AddMinutes(10), registered.StepDueAt);
    }

    [Fact]
    public async Task Disposal_on_time_and_late_are_told_apart()
    {
        await using var silo = await TwinSilo.StartAsync();
        var onTime = await CaseAt(silo, CaseStatus.Handling, "C-on-time");
        var late = await CaseAt(silo, CaseStatus.Handling, "C-late-disposal");

        await silo.AdvanceAsync(TimeSpan.FromMinutes(200));
        var disposedOnTime = await onTime.Act(Step(CaseAction.GiveFeedback));
        await silo.AdvanceAsync(TimeSpan.FromMinutes(60));
        var disposedLate = await late.Act(Step(CaseAction.GiveFeedback));

        // 0301 gives 240 minutes from dispatch to feedback.
        Assert.True(disposedOnTime.DisposedOnTime);
        Assert.False(disposedOnTime.DisposalOverdue);
        Assert.False(disposedLate.DisposedOnTime);
        Assert.True(disposedLate.DisposalOverdue);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task A_deadline_that_passed_while_the_silo_was_down_flags_the_case_after_it_starts(string store)
    {
        var caseId = $"C-{Guid.NewGuid():N}";
        var storage = await TwinStore.ByNameAsync(store, "case_deadline");
        DateTimeOffset reportedAt;
        await using (var before = await TwinSilo.StartAsync(storage))
        {
            reportedAt = (await before.Grain<ICaseGrain>(caseId).Report(ManholeCover)).ReportedAt;
        }

        await using var after = await TwinSilo.StartAsync(storage, reportedAt.AddHours(2));
        // A reminder whose time passed while no silo ran ticks at its next period after the start: within a minute.
        await after.AdvanceAsync(TimeSpan.FromMinutes(1));

        var record = (await after.Grain<ICaseGrain>(caseId).Get())!;
        Assert.Equal(CaseStatus.Reported, record.Status);
        Assert.True(record.StepOverdue);
        Assert.Equal(ManholeCover.Title, record.Title);
    }
}
