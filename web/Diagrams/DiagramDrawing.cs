using Blazor.Diagrams;
using Blazor.Diagrams.Core.Behaviors;
using Blazor.Diagrams.Core.Extensions;
using Blazor.Diagrams.Core.PathGenerators;
using Blazor.Diagrams.Options;

namespace CityOps.Twin.Web.Diagrams;

/// <summary>
/// What the view's diagrams share: they are pictures to read and click, not editors, so nothing in them is
/// selected, dragged, deleted, panned or zoomed by hand; each is zoomed to fit its box whenever the box changes size
/// (so it reads the same on a laptop and on the wall). Link colours are SVG attributes, hence set here, not in CSS.
/// </summary>
public static class DiagramDrawing
{
    public const double Margin = 12;

    public const string QuietColor = "#5a7594";
    public const string TakenColor = "#4fb3d9";
    public const string PendingColor = "#8aa4c0";
    public const string MetColor = "#2fbf71";
    public const string MissedColor = "#eb5757";

    public static BlazorDiagram Fixed()
    {
        var options = new BlazorDiagramOptions { AllowMultiSelection = false, AllowPanning = false };
        options.Zoom.Enabled = false;
        options.Links.DefaultPathGenerator = new StraightPathGenerator();
        var diagram = new BlazorDiagram(options);
        diagram.UnregisterBehavior<SelectionBehavior>();
        diagram.UnregisterBehavior<DragMovablesBehavior>();
        diagram.UnregisterBehavior<DragNewLinkBehavior>();
        diagram.UnregisterBehavior<KeyboardShortcutsBehavior>();
        return diagram;
    }

    /// <summary>Zooms the diagram to fit its box and centres it across the box's width (the library's fit leaves it at the left).</summary>
    public static void FitToContainer(BlazorDiagram diagram)
    {
        diagram.ZoomToFit(Margin);
        if (diagram.Container is { } box && diagram.Nodes.Count > 0)
        {
            var width = (diagram.Nodes.GetBounds().Width + 2 * Margin) * diagram.Zoom;
            diagram.UpdatePan(Math.Max(0, (box.Width - width) / 2), 0);
        }
    }

    /// <summary>The colour of an expected action's state (pending, met, missed) on its links.</summary>
    public static string StateColor(string state) => state switch
    {
        "met" => MetColor,
        "missed" => MissedColor,
        _ => PendingColor,
    };
}
