using CityOps.Twin.Silo.Security;
using Orleans.Dashboard;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>
/// Orleans' own dashboard (Microsoft.Orleans.Dashboard) on the silo's web host at <see cref="Path"/>, for Admins only:
/// its page, its static files, its JSON and its log stream are one endpoint group behind the Admin policy (anonymous
/// requests are sent to sign in, other roles get 403 and an audit line, as for the view's Admin page). It profiles
/// grain calls only while someone has the dashboard open (and a minute after); <c>--Dashboard:Enabled false</c> leaves it out.
/// </summary>
public static class TwinDashboard
{
    public const string Path = "/admin/orleans";

    public static WebApplicationBuilder AddTwinDashboard(this WebApplicationBuilder builder)
    {
        if (Enabled(builder.Configuration))
        {
            builder.UseOrleans(silo => silo.AddDashboard());
        }
        return builder;
    }

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
