using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using CityOps.Twin.Contracts.Drills;

namespace CityOps.Twin.Web.Diagrams;

/// <summary>What a node of the drill's graph stands for; each kind has its lane.</summary>
public enum DrillNodeKind
{
    /// <summary>A lane's name, left of the axis.</summary>
    Lane,

    /// <summary>A time on the axis.</summary>
    Tick,

    /// <summary>The drill clock: a line across the lanes.</summary>
    Now,

    /// <summary>An inject, several sensor series starting in one minute, or the drill's start.</summary>
    Inject,

    /// <summary>An expected action, at its deadline.</summary>
    Expected,

    /// <summary>Someone acting on an expected action (a person in the drill, or a scripted player).</summary>
    Acted,

    /// <summary>A scripted player's planned action, or a run of the same one repeated.</summary>
    Script,
}

/// <summary>A node of the drill's graph: what it is, its words, and for an expected action its state.</summary>
public sealed class DrillNode : NodeModel
{
    public DrillNode(string key, DrillNodeKind kind, Point position, Size size, string name, string detail = "") : base(key, position)
    {
        Kind = kind;
        Size = size;
        Name = name;
        Detail = detail;
        // Its size is known, so the library need not measure it in the browser; nobody moves it.
        ControlledSize = true;
        Locked = true;
    }

    public DrillNodeKind Kind { get; }

    public string Name { get; }

    public string Detail { get; }

    /// <summary>An expected action's pending, met or missed; empty for other nodes.</summary>
    public string State { get; set; } = "";
}

/// <summary>
/// The drill's scenario on a time axis: a lane each for the injects, the expected actions (at their deadlines, linked
/// from the inject that starts their clock), who acted on them (linked from what they met) and the script's actions.
/// Nodes that would overlap in a lane go to a second row of it. To stay small for a scenario of thousands of sensor
/// series (typhoon-tide), the series no expectation names are one node per minute they start in, and a scripted
/// player's repeated action (a review every half hour) one node spanning the repeats.
/// </summary>
public sealed class DrillGraph
{
    public static readonly Size NodeSize = new(124, 36);

    /// <summary>The axis's length in the diagram's space: the graph is zoomed to fit its box, so this sets the proportions.</summary>
    public const double AxisWidth = 1000;

    private const double LaneLabelWidth = 100;
    private const double RowHeight = 44;
    private const double Gap = 6;
    private const double TickHeight = 18;
    private static readonly int[] TickMinutes = [5, 10, 15, 30, 60, 120, 180, 240, 360, 720];
    private const int MostTicks = 12;

    private readonly TimeSpan _duration;
    private readonly List<DrillNode> _nodes = [];
    private readonly List<(DrillNode From, DrillNode To, string? Expected)> _links = [];
    private double _top = TickHeight + Gap;

    private DrillGraph(TimeSpan duration) => _duration = duration > TimeSpan.Zero ? duration : TimeSpan.FromMinutes(1);

    public IReadOnlyList<DrillNode> Nodes => _nodes;

    /// <summary>The links, each with the id of the expected action whose state colours it (null: none).</summary>
    public IReadOnlyList<(DrillNode From, DrillNode To, string? Expected)> Links => _links;

    /// <summary>The drill clock's line, moved as the drill goes on.</summary>
    public DrillNode Now { get; private set; } = default!;

    /// <summary>Lays the plan out, with who has acted so far (<paramref name="expected"/>) and the words of <paramref name="words"/>.</summary>
    public static DrillGraph Of(DrillPlan plan, TimeSpan duration, IReadOnlyList<DrillExpectation> expected, DrillGraphWords words)
    {
        var graph = new DrillGraph(duration);
        graph.Axis(words);
        var injects = graph.Injects(plan, words);
        var deadlines = graph.Expected(plan, injects, words);
        graph.Acted(plan, expected, deadlines, words);
        graph.Script(plan, words);
        graph.Now = new DrillNode("now", DrillNodeKind.Now, new Point(graph.X(TimeSpan.Zero), 0), new Size(2, graph._top), "");
        graph._nodes.Add(graph.Now);
        return graph;
    }

    /// <summary>Where a drill time falls on the axis.</summary>
    public double X(TimeSpan at) => LaneLabelWidth + Math.Clamp(at / _duration, 0, 1) * AxisWidth;

    private void Axis(DrillGraphWords words)
    {
        var step = TickMinutes.FirstOrDefault(m => _duration.TotalMinutes / m <= MostTicks, TickMinutes[^1]);
        for (var minute = 0; minute <= _duration.TotalMinutes; minute += step)
        {
            var at = TimeSpan.FromMinutes(minute);
            _nodes.Add(new DrillNode($"tick-{minute}", DrillNodeKind.Tick, new Point(X(at), 0), new Size(44, TickHeight), words.Clock(at)));
        }
    }

    private Dictionary<string, DrillNode> Injects(DrillPlan plan, DrillGraphWords words)
    {
        var named = plan.Expected.Select(e => e.Inject).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var items = new List<Item>();
        if (plan.Expected.Any(e => e.Inject is null))
        {
            items.Add(new Item("start", TimeSpan.Zero, TimeSpan.Zero, words.Start, "", [], 1));
        }
        items.AddRange(plan.Injects.Where(i => i.Kind == "SensorSeries" && !named.Contains(i.Id))
            .GroupBy(i => (int)i.At.TotalMinutes)
            .Select(g => g.Count() == 1
                ? new Item(g.First().Id, g.First().At, g.First().At, g.First().Id, words.Inject(g.First().Kind), [g.First().Id], 1)
                : new Item($"series-{g.Key}", g.First().At, g.First().At, $"{words.Inject("SensorSeries")} ×{g.Count()}", "", [.. g.Select(i => i.Id)], g.Count())));
        items.AddRange(plan.Injects.Where(i => i.Kind != "SensorSeries" || named.Contains(i.Id))
            .Select(i => new Item(i.Id, i.At, i.At, i.Id, words.Inject(i.Kind), [i.Id], 1)));
        var nodes = Lane(words.InjectsLane, DrillNodeKind.Inject, items);
        return nodes.SelectMany(n => n.Item.Members.DefaultIfEmpty("start").Select(id => (id, n.Node))).ToDictionary(p => p.id, p => p.Node, StringComparer.Ordinal);
    }

    private Dictionary<string, (DrillNode Node, TimeSpan Deadline)> Expected(DrillPlan plan, Dictionary<string, DrillNode> injects, DrillGraphWords words)
    {
        var at = plan.Injects.ToDictionary(i => i.Id, i => i.At, StringComparer.Ordinal);
        var items = plan.Expected.Select(e => new Item(e.Id, Deadline(e), Deadline(e), e.Id, $"{words.Action(e.Action)} ≤ {words.Clock(e.Within)}", [e.Id], 1)).ToList();
        var nodes = Lane(words.ExpectedLane, DrillNodeKind.Expected, items);
        foreach (var (item, node) in nodes)
        {
            var expected = plan.Expected.First(e => e.Id == item.Key);
            if (injects.TryGetValue(expected.Inject ?? "start", out var inject))
            {
                _links.Add((inject, node, expected.Id));
            }
        }
        return nodes.ToDictionary(n => n.Item.Key, n => (n.Node, n.Item.At), StringComparer.Ordinal);

        TimeSpan Deadline(DrillPlanExpectation e) => (e.Inject is { } id && at.TryGetValue(id, out var from) ? from : TimeSpan.Zero) + e.Within;
    }

    private void Acted(DrillPlan plan, IReadOnlyList<DrillExpectation> expected, Dictionary<string, (DrillNode Node, TimeSpan Deadline)> deadlines, DrillGraphWords words)
    {
        var items = new List<Item>();
        foreach (var e in expected.Where(e => e.Delay is not null && deadlines.ContainsKey(e.Id)))
        {
            // The deadline less the time allowed is when the clock started; the delay counts from there.
            var started = (e.Due ?? deadlines[e.Id].Deadline) - e.Within;
            var action = plan.Expected.First(p => p.Id == e.Id).Action;
            items.Add(new Item($"acted-{e.Id}", started + e.Delay!.Value, started + e.Delay.Value, e.By ?? "—", words.Action(action), [e.Id], 1));
        }
        foreach (var (item, node) in Lane(words.ActedLane, DrillNodeKind.Acted, items))
        {
            _links.Add((deadlines[item.Members[0]].Node, node, item.Members[0]));
        }
    }

    private void Script(DrillPlan plan, DrillGraphWords words)
    {
        var runs = new List<Item>();
        foreach (var action in plan.Script.OrderBy(a => a.At))
        {
            // The same player doing the same thing again before the last one's node ends joins it as a repeat.
            if (runs.Count > 0 && runs[^1] is var last && last.Detail == action.By && last.Members[0] == action.Action
                && X(action.At) - X(last.Until) < NodeSize.Width + Gap)
            {
                runs[^1] = last with { Until = action.At, Count = last.Count + 1 };
                continue;
            }
            runs.Add(new Item($"script-{runs.Count}", action.At, action.At, words.Action(action.Action), action.By, [action.Action], 1));
        }
        Lane(words.ScriptLane, DrillNodeKind.Script,
            [.. runs.Select(r => r.Count == 1 ? r : r with { Title = $"{r.Title} ×{r.Count}", Detail = $"{r.Detail} · {words.Clock(r.At)}–{words.Clock(r.Until)}" })]);
    }

    /// <summary>Places a lane's items by time, each in the first row of the lane where it overlaps nothing; the lane's name on its left.</summary>
    private List<(Item Item, DrillNode Node)> Lane(string name, DrillNodeKind kind, List<Item> items)
    {
        var placed = new List<(Item, DrillNode)>();
        var rowEnds = new List<double>();
        foreach (var item in items.OrderBy(i => i.At))
        {
            var x = X(item.At);
            var width = Math.Max(NodeSize.Width, X(item.Until) - x);
            var row = rowEnds.FindIndex(end => x >= end + Gap);
            if (row < 0)
            {
                row = rowEnds.Count;
                rowEnds.Add(0);
            }
            rowEnds[row] = x + width;
            var node = new DrillNode(item.Key, kind, new Point(x, _top + row * RowHeight), new Size(width, NodeSize.Height), item.Title, item.Detail);
            _nodes.Add(node);
            placed.Add((item, node));
        }
        var rows = Math.Max(1, rowEnds.Count);
        _nodes.Add(new DrillNode($"lane-{kind}", DrillNodeKind.Lane, new Point(0, _top), new Size(LaneLabelWidth - 2 * Gap, NodeSize.Height), name));
        _top += rows * RowHeight;
        return placed;
    }

    /// <summary>One node to be: its key, its time (and until when, for a run), its words, the ids it stands for and how many.</summary>
    private sealed record Item(string Key, TimeSpan At, TimeSpan Until, string Title, string Detail, IReadOnlyList<string> Members, int Count);
}

/// <summary>The graph's words in the view's language; the component gives them, so the layout stays free of the view.</summary>
public sealed record DrillGraphWords(
    string InjectsLane,
    string ExpectedLane,
    string ActedLane,
    string ScriptLane,
    string Start,
    Func<string, string> Inject,
    Func<string, string> Action,
    Func<TimeSpan, string> Clock);
