using Bunit;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Web.Components.Shared;
using CityOps.Twin.Web.Text;

namespace CityOps.Twin.Web.Tests;

public sealed class CaseLoopDiagramTests : DiagramContext
{
    private static readonly DateTimeOffset Reported = new(2026, 7, 27, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A case that went Reported → Registered → Dispatched → Handling → Feedback, failed its check and is back at Dispatched.</summary>
    private static CaseRecord Reworked()
    {
        CaseStatus[] path = [CaseStatus.Reported, CaseStatus.Registered, CaseStatus.Dispatched, CaseStatus.Handling, CaseStatus.Feedback, CaseStatus.Dispatched];
        List<CaseTimelineEntry> timeline = [new(Reported, "巡查员", "上报 Reported", null, CaseStatus.Reported, null)];
        timeline.AddRange(path.Zip(path.Skip(1), (from, to) => new CaseTimelineEntry(Reported.AddMinutes(timeline.Count), "值班员", $"{from} → {to}", from, to, null)));
        return new CaseRecord("C-1", "井盖缺失", "巡查发现井盖缺失", "0301", CaseUrgency.Normal, CaseSource.Patrol, new GeoPoint(121.58, 31.2),
            "310115-zhangjiang-188", null, CaseStatus.Dispatched, Reported, "市政养护一队", Reported.AddHours(1), false, Reported.AddDays(1), null, false, 1, null, timeline);
    }

    private IRenderedComponent<CaseLoopDiagram> Render(CaseRecord record, bool canWork, Action<CaseAction>? onStep = null) =>
        Render<CaseLoopDiagram>(p => p
            .AddCascadingValue(UiText.Chinese)
            .Add(c => c.Case, record)
            .Add(c => c.CanWork, canWork)
            .Add(c => c.OnStep, action => onStep?.Invoke(action)));

    [Fact]
    public void Every_status_of_the_loop_is_a_node_and_the_case_stands_on_its_own()
    {
        var diagram = Render(Reworked(), canWork: true);

        var statuses = diagram.FindAll("[data-loop-status]");
        Assert.Equal(Enum.GetValues<CaseStatus>().Select(s => s.ToString()).Order(), statuses.Select(s => s.GetAttribute("data-loop-status")!).Order());
        var current = Assert.Single(statuses, s => s.GetAttribute("data-current") == "true");
        Assert.Equal("Dispatched", current.GetAttribute("data-loop-status"));
        Assert.Contains("current", current.ClassList);
        Assert.Equal("已派遣", current.TextContent.Trim());
    }

    [Fact]
    public void The_path_the_case_took_is_marked_with_the_rework_step_taken_once()
    {
        var diagram = Render(Reworked(), canWork: true);

        var taken = diagram.FindAll("[data-loop-status][data-taken=true]").Select(s => s.GetAttribute("data-loop-status")).Order();
        Assert.Equal(["Dispatched", "Feedback", "Handling", "Registered", "Reported"], taken);
        Assert.Equal("1", diagram.Find("[data-step=FailCheck]").GetAttribute("data-taken"));
        Assert.Contains("rework", diagram.Find("[data-step=FailCheck]").ClassList);
        Assert.Equal("0", diagram.Find("[data-step=Cancel]").GetAttribute("data-taken"));
    }

    [Fact]
    public void Only_the_steps_the_status_allows_are_buttons_and_clicking_one_begins_that_step()
    {
        var begun = new List<CaseAction>();
        var diagram = Render(Reworked(), canWork: true, begun.Add);

        var steps = diagram.FindAll("button[data-testid=loop-step]");
        Assert.Equal(CaseLifecycle.AllowedFrom(CaseStatus.Dispatched).Select(a => a.ToString()), steps.Select(s => s.GetAttribute("data-action")));
        Assert.All(steps, s => Assert.False(s.HasAttribute("disabled")));

        diagram.Find("button[data-action=StartHandling]").Click();
        Assert.Equal([CaseAction.StartHandling], begun);
    }

    [Fact]
    public void Without_the_operator_role_the_next_steps_are_shown_but_cannot_be_taken()
    {
        var begun = new List<CaseAction>();
        var diagram = Render(Reworked(), canWork: false, begun.Add);

        var step = diagram.Find("button[data-testid=loop-step]");
        Assert.True(step.HasAttribute("disabled"));
        step.Click();
        Assert.Empty(begun);
    }

    [Fact]
    public void A_new_status_moves_the_highlight_and_the_offered_steps()
    {
        var record = Reworked();
        var diagram = Render(record, canWork: true);

        var handling = record with
        {
            Status = CaseStatus.Handling,
            Timeline = [.. record.Timeline, new(Reported.AddHours(1), "值班员", "开始处置", CaseStatus.Dispatched, CaseStatus.Handling, null)],
        };
        diagram.Render(p => p.Add(c => c.Case, handling));

        diagram.WaitForAssertion(() => Assert.Equal("Handling", diagram.Find("[data-current=true]").GetAttribute("data-loop-status")));
        Assert.Equal(["GiveFeedback"], diagram.FindAll("button[data-testid=loop-step]").Select(s => s.GetAttribute("data-action")));
        Assert.Equal("2", diagram.Find("[data-step=StartHandling]").GetAttribute("data-taken"));
    }
}
