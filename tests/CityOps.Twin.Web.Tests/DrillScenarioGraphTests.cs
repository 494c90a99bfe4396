using Bunit;
using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Web.Components.Shared;
using CityOps.Twin.Web.Diagrams;
using CityOps.Twin.Web.Text;

namespace CityOps.Twin.Web.Tests;

public sealed class DrillScenarioGraphTests : DiagramContext
{
    private static TimeSpan Minutes(double m) => TimeSpan.FromMinutes(m);

    /// <summary>The rainstorm drill's shape, with three more sensor series at the start that no expectation names.</summary>
    private static readonly DrillPlan Rainstorm = new(
        [
            new("flood-zhangjiang", "SensorSeries", Minutes(10)),
            new("lift-trapped", "ElevatorTrapped", Minutes(30)),
            new("hotline-call", "HotlineCase", Minutes(45)),
            new("rain-1", "SensorSeries", Minutes(0)),
            new("rain-2", "SensorSeries", Minutes(0)),
            new("rain-3", "SensorSeries", Minutes(0)),
        ],
        [
            new("switch-to-III", "SwitchMode", "flood-zhangjiang", Minutes(10)),
            new("dispatch-lift", "Dispatch", "lift-trapped", Minutes(5)),
            new("dispatch-hotline", "Dispatch", "hotline-call", Minutes(10)),
        ],
        [new(Minutes(17), "SwitchMode", "指挥长", null), new(Minutes(33), "Dispatch", "值班员", "lift-trapped")]);

    /// <summary>At 00:50: the switch met by a person after 7 minutes, the lift dispatched 3 minutes late, the hotline case waiting.</summary>
    private static DrillStatus At50(DrillPlan plan) => new("暴雨内涝与电梯困人演练 Rainstorm drill", Minutes(50), TimeSpan.FromHours(2), 10, false, false, "Flood III", 3, 2, [],
        [
            new("switch-to-III", "SwitchMode", Minutes(10), true, Minutes(7), "", Minutes(20), "张指挥"),
            new("dispatch-lift", "Dispatch", Minutes(5), false, Minutes(8), "", Minutes(35), "李值班", Missed: true),
            new("dispatch-hotline", "Dispatch", Minutes(10), false, null, "", Minutes(55)),
        ],
        null, Plan: plan);

    private IRenderedComponent<DrillScenarioGraph> Render(DrillStatus drill) =>
        Render<DrillScenarioGraph>(p => p.AddCascadingValue(UiText.Chinese).Add(c => c.Drill, drill));

    private static IEnumerable<string?> Ids(IRenderedComponent<DrillScenarioGraph> graph, DrillNodeKind kind) =>
        graph.FindAll($"[data-graph-kind={kind}]").Select(n => n.GetAttribute("data-graph-id"));

    [Fact]
    public void Each_inject_expected_action_and_scripted_action_is_a_node_and_unnamed_series_of_a_minute_are_one()
    {
        var graph = Render(At50(Rainstorm));

        Assert.Equal(["series-0", "flood-zhangjiang", "lift-trapped", "hotline-call"], Ids(graph, DrillNodeKind.Inject));
        Assert.Contains("×3", graph.Find("[data-graph-id=series-0]").TextContent);
        Assert.Equal(["switch-to-III", "dispatch-lift", "dispatch-hotline"], Ids(graph, DrillNodeKind.Expected));
        Assert.Equal(2, graph.FindAll("[data-graph-kind=Script]").Count);
    }

    [Fact]
    public void Expected_actions_and_their_links_are_coloured_by_state_and_who_acted_is_shown()
    {
        var graph = Render(At50(Rainstorm));

        Assert.Equal("met", graph.Find("[data-graph-id=switch-to-III]").GetAttribute("data-graph-state"));
        Assert.Contains("state-missed", graph.Find("[data-graph-id=dispatch-lift]").ClassList);
        Assert.Equal("pending", graph.Find("[data-graph-id=dispatch-hotline]").GetAttribute("data-graph-state"));
        Assert.Equal(["acted-switch-to-III", "acted-dispatch-lift"], Ids(graph, DrillNodeKind.Acted));
        Assert.Contains("张指挥", graph.Find("[data-graph-id=acted-switch-to-III]").TextContent);

        var strokes = graph.FindAll("path[stroke]").Select(p => p.GetAttribute("stroke")).ToList();
        Assert.Contains(DiagramDrawing.MetColor, strokes);
        Assert.Contains(DiagramDrawing.MissedColor, strokes);
        Assert.Contains(DiagramDrawing.PendingColor, strokes);
    }

    [Fact]
    public void A_pending_action_met_later_turns_met_with_who_met_it()
    {
        var drill = At50(Rainstorm);
        var graph = Render(drill);

        var later = drill with
        {
            Elapsed = Minutes(52),
            Expected = [drill.Expected[0], drill.Expected[1], new("dispatch-hotline", "Dispatch", Minutes(10), true, Minutes(6), "", Minutes(55), "王值班")],
        };
        graph.Render(p => p.Add(c => c.Drill, later));

        graph.WaitForAssertion(() => Assert.Equal("met", graph.Find("[data-graph-id=dispatch-hotline]").GetAttribute("data-graph-state")));
        Assert.Contains("王值班", graph.Find("[data-graph-id=acted-dispatch-hotline]").TextContent);
    }

    [Fact]
    public void A_typhoon_of_thousands_of_series_and_a_review_every_half_hour_stays_a_handful_of_nodes()
    {
        var plan = new DrillPlan(
            [.. Enumerable.Range(1, 1540).Select(i => new DrillPlanInject($"series-S-{i:D5}", "SensorSeries", TimeSpan.Zero))],
            [new("flood-response-III", "SwitchMode", null, TimeSpan.FromHours(16))],
            [.. Enumerable.Range(0, 48).Select(i => new DrillPlanAction(Minutes(30 * i), "ConfirmProposal", "指挥长", null))]);
        var drill = new DrillStatus("台风暴雨天文大潮三碰头", TimeSpan.FromHours(3), TimeSpan.FromHours(24), 600, false, false, "Normal", 0, 0, [],
            [new("flood-response-III", "SwitchMode", TimeSpan.FromHours(16), false, null, "", TimeSpan.FromHours(16))], null, Plan: plan);

        var graph = Render(drill);

        Assert.Equal(["start", "series-0"], Ids(graph, DrillNodeKind.Inject));
        Assert.Contains("×1540", graph.Find("[data-graph-id=series-0]").TextContent);
        var script = Assert.Single(graph.FindAll("[data-graph-kind=Script]"));
        Assert.Contains("×48", script.TextContent);
        Assert.True(graph.FindAll("[data-graph-kind]").Count < 30);
    }
}
