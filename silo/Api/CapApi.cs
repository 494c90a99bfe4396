using CityOps.Twin.Silo.Cap;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityOps.Twin.Silo.Api;

/// <summary>OASIS CAP 1.2: the latest alarm-level changes and mode switches as alerts.</summary>
public static class CapApi
{
    public sealed record CapEntry(string Identifier, DateTimeOffset Sent, string Status, string MsgType, string Event, string Severity, string Headline, string Url);

    public static RouteGroupBuilder MapCapApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/cap").WithTags("CAP 1.2").RequireAuthorization();
        api.MapGet("/alerts", async (CapAlertLog log, int? count) => TypedResults.Ok((await log.LatestAsync(Math.Clamp(count ?? 100, 1, 1_000)))
                .Select(a => new CapEntry(a.Identifier, a.Sent, a.Status, a.MsgType, a.Event, a.Severity, a.Headline, $"/api/cap/alerts/{a.Identifier}.xml"))))
            .WithSummary("The latest CAP alerts, newest first (default 100), with the address of each one's XML.");
        api.MapGet("/alerts/{identifier}.xml", async Task<Results<ContentHttpResult, ProblemHttpResult>> (string identifier, CapAlertLog log) =>
                await log.FindAsync(identifier) is { } alert
                    ? TypedResults.Text(alert.ToXml().Declaration + "\n" + alert.ToXml().ToString(), CapAlert.ContentType)
                    : TypedResults.Problem($"No CAP alert '{identifier}' is kept.", statusCode: StatusCodes.Status404NotFound, title: "Unknown alert"))
            .WithSummary("One alert as CAP 1.2 XML (application/cap+xml).");
        return api;
    }
}
