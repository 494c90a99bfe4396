using Blazor.Diagrams.Core;
using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using Blazor.Diagrams.Core.Routers;
using CityOps.Twin.Contracts.Cases;

namespace CityOps.Twin.Web.Diagrams;

/// <summary>
/// The closed loop laid out from <see cref="CaseLifecycle"/> alone: walking its steps from Reported, each status
/// goes one row below the status first reaching it (the main line down the left, a branch such as Cancelled beside
/// it); a step back to an earlier row is rework and goes round the right. Drawn top to bottom so it fits the desk's
/// narrow detail column.
/// </summary>
public static class CaseLoop
{
    public static readonly Size NodeSize = new(130, 30);

    /// <summary>Rows leave room between two statuses for the name of the step that joins them.</summary>
    private const double RowGap = 58;

    private const double ColumnGap = 170;

    public static IReadOnlyList<LoopStatusNode> Statuses(out IReadOnlyList<LoopStepLink> steps)
    {
        var nodes = new Dictionary<CaseStatus, LoopStatusNode>();
        var rows = new Dictionary<CaseStatus, int>();
        var columnsInRow = new Dictionary<int, int>();
        var found = new List<(CaseStatus From, CaseAction Action, CaseStatus To)>();
        var queue = new Queue<CaseStatus>();
        void Place(CaseStatus status, int row)
        {
            var column = columnsInRow[row] = columnsInRow.GetValueOrDefault(row, -1) + 1;
            rows[status] = row;
            nodes[status] = new LoopStatusNode(status, new Point(column * ColumnGap, row * RowGap));
            queue.Enqueue(status);
        }
        Place(CaseStatus.Reported, 0);
        while (queue.TryDequeue(out var status))
        {
            foreach (var action in CaseLifecycle.AllowedFrom(status))
            {
                CaseLifecycle.TryNext(status, action, out var next);
                found.Add((status, action, next));
                if (!nodes.ContainsKey(next))
                {
                    Place(next, rows[status] + 1);
                }
            }
        }
        // A status no step reaches (none today) still gets its node, below the loop.
        foreach (var status in Enum.GetValues<CaseStatus>().Where(s => !nodes.ContainsKey(s)))
        {
            Place(status, rows.Values.Max() + 1);
        }
        steps = [.. found.Select(s => new LoopStepLink(nodes[s.From], nodes[s.To], s.Action, rework: rows[s.To] <= rows[s.From]))];
        return [.. nodes.Values];
    }
}

/// <summary>A status of the loop: whether the case has been in it and whether it stands in it now.</summary>
public sealed class LoopStatusNode : NodeModel
{
    public LoopStatusNode(CaseStatus status, Point position) : base(position)
    {
        Status = status;
        Size = CaseLoop.NodeSize;
        // Its size is known, so the library need not measure it in the browser; nobody moves it.
        ControlledSize = true;
        Locked = true;
    }

    public CaseStatus Status { get; }

    public bool Taken { get; set; }

    public bool Current { get; set; }
}

/// <summary>A step of the loop, from the status it leaves to the one it leads to, with its name as a label.</summary>
public sealed class LoopStepLink : LinkModel
{
    public LoopStepLink(LoopStatusNode from, LoopStatusNode to, CaseAction action, bool rework) : base(from, to)
    {
        Action = action;
        Rework = rework;
        Locked = true;
        TargetMarker = LinkMarker.Arrow;
        Label = new LoopStepLabel(this);
        Labels.Add(Label);
        if (rework)
        {
            Router = new AroundTheRight(from, to);
        }
    }

    public CaseAction Action { get; }

    /// <summary>A step back to an earlier status (a failed check): 返工.</summary>
    public bool Rework { get; }

    /// <summary>How many times the case took this step.</summary>
    public int Taken { get; set; }

    public LoopStepLabel Label { get; }

    /// <summary>The rework step leaves its status to the right, runs up beside the loop and comes back in.</summary>
    private sealed class AroundTheRight(NodeModel from, NodeModel to) : Router
    {
        public override Point[] GetRoute(Diagram diagram, BaseLinkModel link)
        {
            var x = from.Position.X + CaseLoop.NodeSize.Width + 40;
            var half = CaseLoop.NodeSize.Height / 2;
            return [new Point(x, from.Position.Y + half), new Point(x, to.Position.Y + half)];
        }
    }
}

/// <summary>The name of a step on its link; while the step is one the case may take next, a control that takes it.</summary>
public sealed class LoopStepLabel(LoopStepLink step) : LinkLabelModel(step, "", offset: new Point(-Width / 2, -Height / 2))
{
    /// <summary>The label's box (diagrams.css gives it this size): moved back by half, its middle is the link's.</summary>
    private const double Width = 120, Height = 24;

    public LoopStepLink Step { get; } = step;

    /// <summary>The case's status allows this step now.</summary>
    public bool Next { get; set; }

    /// <summary>The user's roles let them take it.</summary>
    public bool Enabled { get; set; }

    /// <summary>Starts the step as the desk's buttons do (asking for a reason, team or score where it needs one).</summary>
    public Func<CaseAction, Task>? Take { get; set; }
}
