using Blazor.Diagrams.Core.Geometry;
using Bunit;

namespace CityOps.Twin.Web.Tests;

/// <summary>
/// A bUnit context for the view's diagrams: the library measures its canvas in the browser, so the measurement is
/// answered here with a box of a desk's size, and its other calls (watching for resizes) are let through.
/// </summary>
public abstract class DiagramContext : BunitContext
{
    protected DiagramContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        JSInterop.Setup<Rectangle>("ZBlazorDiagrams.getBoundingClientRect", _ => true).SetResult(new Rectangle(0, 0, 800, 400));
    }
}
