using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Security;

namespace CityOps.Twin.Silo.Api;

/// <summary>Drills (演练): the scenarios, the running drill's status and the last after-action report.</summary>
public static class DrillApi
{
    public sealed record StartRequest(string? Scenario, double? Speed);

    public sealed record SpeedRequest(double? Speed);

    private static async Task<IResult> Refusable(Func<Task> action)
    {
        try
        {
            await action();
            return Results.NoContent();
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status400BadRequest, title: "Refused");
        }
    }

    public static RouteGroupBuilder MapDrillApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/drills").WithTags("Drills").RequireAuthorization().WithTwinProblems();
        api.MapGet("/scenarios", (IDrillDesk desk) => desk.Scenarios).WithSummary("The scenarios that can be started.");
        api.MapGet("/current", (IDrillDesk desk) => desk.Current is { } status ? Results.Ok(status) : Results.NoContent())
            .WithSummary("The running (or last) drill: drill time, speed, expected actions so far, the latest events.");
        api.MapGet("/report.html", (IDrillDesk desk) => desk.ReportHtml is { } html
                ? Results.Content(html, "text/html; charset=utf-8")
                : Results.Problem("No drill has finished yet.", statusCode: StatusCodes.Status404NotFound, title: "No report"))
            .WithSummary("The last finished drill's after-action report (HTML; also written with its JSON under the data folder).");
        api.MapPost("/start", (StartRequest start, HttpContext http, ITwinCommands commands) =>
                Refusable(() => commands.StartDrillAsync(http.Actor(), start.Scenario ?? "", start.Speed ?? 60)))
            .WithSummary("Starts a drill (DrillController) against a copy of the city, at a speed from 1 to 600.");
        api.MapPost("/pause", (HttpContext http, ITwinCommands commands) => Refusable(() => commands.DirectDrillAsync(http.Actor(), DrillDirection.Pause)))
            .WithSummary("Pauses the running drill (Commander or DrillController).");
        api.MapPost("/resume", (HttpContext http, ITwinCommands commands) => Refusable(() => commands.DirectDrillAsync(http.Actor(), DrillDirection.Resume)))
            .WithSummary("Resumes the running drill (Commander or DrillController).");
        api.MapPost("/speed", (SpeedRequest speed, HttpContext http, ITwinCommands commands) =>
                Refusable(() => commands.DirectDrillAsync(http.Actor(), DrillDirection.SetSpeed, speed.Speed ?? double.NaN)))
            .WithSummary("Sets the running drill's speed (Commander or DrillController).");
        api.MapPost("/inject", (HandInject inject, HttpContext http, ITwinCommands commands) => Refusable(() => commands.InjectAsync(http.Actor(), inject)))
            .WithSummary("A hand inject into the running drill (DrillController): elevator-trapped with a device, or a reading with a device and value.");
        return api;
    }
}
