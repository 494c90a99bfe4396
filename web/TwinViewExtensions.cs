using CityOps.Twin.Web.Components;
using CityOps.Twin.Web.Live;
using CityOps.Twin.Web.Map;
using CityOps.Twin.Web.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans;

namespace CityOps.Twin.Web;

public static class TwinViewExtensions
{
    /// <summary>The twin view's services: Blazor Server, the live feed every open view shares, and each browser's language.</summary>
    public static IServiceCollection AddTwinView(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TwinFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<TwinFeed>());
        // The view's feed is one of the listeners of the silo's live feed: it hears every change of the city.
        services.AddSingleton<Contracts.Live.ITwinChangeListener>(sp => sp.GetRequiredService<TwinFeed>());
        // The live city every view shows unless its user entered a drill (TwinScope, one per browser).
        services.AddSingleton(sp => new TwinCity(
            null, sp.GetRequiredService<TwinFeed>(), sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<Contracts.City.ICityDirectory>(),
            sp.GetRequiredService<Contracts.Mode.IModeSwitchboard>(), sp.GetRequiredService<Contracts.Cases.ICaseIntake>(),
            sp.GetRequiredService<Contracts.Security.ITwinCommands>(), sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<TwinScope>();
        services.AddSingleton<CityMapData>();
        services.AddScoped<TwinLanguage>();
        services.AddScoped<Security.ViewUser>();
        return services;
    }

    /// <summary>Serves the twin view's pages, its static assets, the map's fixed layer and the Blazor script.</summary>
    public static IEndpointRouteBuilder MapTwinView(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapGet("twin/city.json", (CityMapData map) => Results.Bytes(map.Json, "application/json")).ExcludeFromDescription().RequireAuthorization();
        // The silo's own Content-Security-Policy says frame-ancestors 'none'; Blazor's second, looser one is left out.
        // Every page and the circuit's hub need a signed-in user (the sign-in page says [AllowAnonymous]; pages for one
        // role say so themselves); the framework's script is public code the sign-in page loads too.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = null)
            .RequireAuthorization()
            .Add(endpoint =>
            {
                if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } route } && route.TrimStart('/').StartsWith("_framework/", StringComparison.Ordinal))
                {
                    endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute());
                }
            });
        return app;
    }
}
