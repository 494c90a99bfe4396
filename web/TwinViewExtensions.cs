using CityOps.Twin.Web.Components;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Web;

public static class TwinViewExtensions
{
    public static IServiceCollection AddTwinView(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        return services;
    }

    /// <summary>Serves the twin view's pages, its static assets and the Blazor script.</summary>
    public static IEndpointRouteBuilder MapTwinView(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
