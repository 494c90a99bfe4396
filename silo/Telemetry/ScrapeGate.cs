using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Security;

namespace CityOps.Twin.Silo.Telemetry;

/// <summary>
/// Who may read <c>/metrics</c>: a Prometheus server at an address listed in <c>Telemetry:Prometheus:AllowedAddresses</c>
/// without signing in, and a signed-in Admin from anywhere. Anyone else gets 401 (not signed in: sign in, or scrape
/// from a listed address) or 403 (signed in without the role Admin, audited as every refusal of a role is), each
/// with a problem detail a person reading it in a browser or a scrape log can act on.
/// </summary>
internal static class ScrapeGate
{
    public static async Task AdmitAsync(HttpContext context, RequestDelegate next)
    {
        var settings = context.RequestServices.GetRequiredService<TelemetrySettings>();
        if (settings.MayScrape(context.Connection.RemoteIpAddress) || context.User.IsInRole(nameof(TwinRole.Admin)))
        {
            await next(context);
            return;
        }
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "an unknown address";
        if (context.User.Identity?.IsAuthenticated != true)
        {
            await SecurityHosting.Problem(context, StatusCodes.Status401Unauthorized, "Not signed in",
                $"The metrics are for the twin's Prometheus (scraping from an address in Telemetry:Prometheus:AllowedAddresses; {address} is not one) " +
                "or a signed-in Admin: POST /api/account/signin {\"name\",\"password\"}.");
            return;
        }
        var actor = context.Actor();
        var what = $"{context.Request.Method} {context.Request.Path}";
        var detail = $"{actor.Name} ({actor.RoleList}) may not {what}: that needs the role Admin.";
        await context.RequestServices.GetRequiredService<IAuditLog>().AppendAsync(AuditRecord.Of(actor, "http.forbidden", what, "forbidden", detail: detail));
        await SecurityHosting.Problem(context, StatusCodes.Status403Forbidden, "Forbidden", detail);
    }
}
