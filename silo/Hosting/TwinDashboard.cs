using CityOps.Twin.Silo.Security;
using Orleans.Dashboard;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>
/// Orleans' own dashboard (Microsoft.Orleans.Dashboard) on the silo's web host at <see cref="Path"/>, for Admins only:
/// its page, its static files, its JSON and its log stream are one endpoint group behind the Admin policy (anonymous
/// requests are sent to sign in, other roles get 403 and an audit line, as for the view's Admin page).
/// <c>--Dashboard:Enabled false</c> leaves it out; <c>--Dashboard:ProfileGrainCalls false</c> keeps it without its
/// grain-call filter (no per-method statistics, and no cost on every grain call).
/// </summary>
public static class TwinDashboard
{
    public const string Path = "/admin/orleans";

    public static WebApplicationBuilder AddTwinDashboard(this WebApplicationBuilder builder)
    {
        if (Enabled(builder.Configuration))
        {
            builder.UseOrleans(silo => silo.AddTwinDashboard(builder.Configuration.GetValue("Dashboard:ProfileGrainCalls", true)));
        }
        return builder;
    }

    /// <summary>
    /// The dashboard's services on a silo. Without <paramref name="profileGrainCalls"/>, its grain-call filter (which
    /// sees every call, and times each while the dashboard is open) is taken out again: the dashboard then shows the
    /// cluster, activations by class, reminders and the log, but not calls by method.
    /// </summary>
    public static ISiloBuilder AddTwinDashboard(this ISiloBuilder silo, bool profileGrainCalls)
    {
        silo.AddDashboard();
        if (!profileGrainCalls)
        {
            foreach (var filter in silo.Services.Where(IsDashboardCallFilter).ToList())
            {
                silo.Services.Remove(filter);
            }
        }
        return silo;
    }

    /// <summary>The dashboard's grain-call filter, found by its assembly (the type is internal to the package).</summary>
    public static bool IsDashboardCallFilter(ServiceDescriptor service) =>
        service.ServiceType == typeof(IIncomingGrainCallFilter) && service.ImplementationType?.Assembly == typeof(DashboardOptions).Assembly;

    public static WebApplication MapTwinDashboard(this WebApplication app)
    {
        if (Enabled(app.Configuration))
        {
            app.MapOrleansDashboard(routePrefix: Path).RequireAuthorization(SecurityHosting.AdminPolicy);
        }
        return app;
    }

    private static bool Enabled(IConfiguration configuration) => configuration.GetValue("Dashboard:Enabled", true);
}
