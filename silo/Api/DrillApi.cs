using CityOps.Twin.Contracts.Drills;

namespace CityOps.Twin.Silo.Api;

/// <summary>Drills (演练): the scenarios, the running drill's status and the last after-action report.</summary>
public static class DrillApi
{
    public static RouteGroupBuilder MapDrillApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/drills").WithTags("Drills");
        api.MapGet("/scenarios", (IDrillDesk desk) => desk.Scenarios).WithSummary("The scenarios that can be started.");
        api.MapGet("/current", (IDrillDesk desk) => desk.Current is { } status ? Results.Ok(status) : Results.NoContent())
            .WithSummary("The running (or last) drill: drill time, speed, expected actions so far, the latest events.");
        api.MapGet("/report.html", (IDrillDesk desk) => desk.ReportHtml is { } html
                ? Results.Content(html, "text/html; charset=utf-8")
                : Results.Problem("No drill has finished yet.", statusCode: StatusCodes.Status404NotFound, title: "No report"))
            .WithSummary("The last finished drill's after-action report (HTML; also written with its JSON under the data folder).");
        return api;
    }
}
