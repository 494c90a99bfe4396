using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Silo.Security;
using CityOps.Twin.Web.Live;

namespace CityOps.Twin.Silo.Api;

/// <summary>Drills (演练): the scenarios, the running drill's status and the last after-action report.</summary>
public static class DrillApi
{
    /// <summary>A drill to start: the scenario, the speed, and the roles people play ("Commander", "Operator"; the others are scripted).</summary>
    public sealed record StartRequest(string? Scenario, double? Speed, string[]? People);

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
                Refusable(() => commands.StartDrillAsync(http.Actor(), start.Scenario ?? "", start.Speed ?? 60, PlayersOf(start.People))))
            .WithSummary("Starts a drill (DrillController) against a copy of the city, at a speed from 1 to 600; people play the roles named in people (Commander, Operator), scripted players the rest.");
        api.MapPost("/pause", (HttpContext http, ITwinCommands commands) => Refusable(() => commands.DirectDrillAsync(http.Actor(), DrillDirection.Pause)))
            .WithSummary("Pauses the running drill (Commander or DrillController).");
        api.MapPost("/resume", (HttpContext http, ITwinCommands commands) => Refusable(() => commands.DirectDrillAsync(http.Actor(), DrillDirection.Resume)))
            .WithSummary("Resumes the running drill (Commander or DrillController).");
        api.MapPost("/speed", (SpeedRequest speed, HttpContext http, ITwinCommands commands) =>
                Refusable(() => commands.DirectDrillAsync(http.Actor(), DrillDirection.SetSpeed, speed.Speed ?? double.NaN)))
            .WithSummary("Sets the running drill's speed (Commander or DrillController).");
        api.MapPost("/inject", (HandInject inject, HttpContext http, ITwinCommands commands) => Refusable(() => commands.InjectAsync(http.Actor(), inject)))
            .WithSummary("A hand inject into the running drill (DrillController): elevator-trapped (device), sensor-reading (device, value), sensor-series (device, values: one a drill minute), hotline-case and road-closure (lon, lat, text, category), power-cut (grid).");

        // The running drill's city, for people who play it through the API: its cases and its mode, never the live city's.
        var city = api.MapGroup("/current/city");
        city.MapGet("/cases", (IDrillCities drills) => InDrill(drills, async drill =>
                Results.Ok((await CaseApi.AllCasesAsync(drill.Directory, drill.Grains)).ToList())))
            .WithSummary("The running drill's cases (newest first).");
        city.MapGet("/cases/{id}", (string id, IDrillCities drills) => InDrill(drills, async drill =>
                await drill.Grains.GetGrain<ICaseGrain>(id).Get() is { } record ? Results.Ok(record)
                    : Results.Problem($"There is no case '{id}' in the drill's city.", statusCode: StatusCodes.Status404NotFound, title: "No such case")))
            .WithSummary("One of the running drill's cases.");
        city.MapPost("/cases", (CaseApi.ReportRequest report, HttpContext http, IDrillCities drills) =>
                InDrill(drills, drill => CaseApi.ReportAsync(report, http.Actor(), drill.Commands)))
            .WithSummary("Reports a case in the running drill's city (Operator).");
        foreach (var (route, action) in CaseApi.Steps)
        {
            city.MapPost($"/cases/{{id}}/{route}", (string id, CaseApi.StepRequest step, HttpContext http, IDrillCities drills) =>
                    InDrill(drills, drill => CaseApi.StepAsync(id, action, step, http.Actor(), drill.Commands)))
                .WithSummary($"{action} on one of the running drill's cases (Operator); a case id that is not the drill's gets 404.");
        }
        city.MapPost("/mode/switch", (ModeSwitch request, HttpContext http, IDrillCities drills) =>
                InDrill(drills, drill => ModeApi.SwitchAsync(request, http, drill.Commands)))
            .WithSummary("Switches the running drill's city between normal and emergency (Commander); the live city is not touched.");
        return api;
    }

    private static async Task<IResult> InDrill(IDrillCities drills, Func<TwinCity, Task<IResult>> action) =>
        drills.Running is { } drill ? await action(drill)
            : Results.Problem("No drill is running (or it is still being prepared): there is no drill city to act in.", statusCode: StatusCodes.Status409Conflict, title: "No drill");

    private static DrillPlayers PlayersOf(string[]? people)
    {
        var roles = people ?? [];
        if (roles.FirstOrDefault(r => r is not (nameof(TwinRole.Commander) or nameof(TwinRole.Operator))) is { } unknown)
        {
            throw new ArgumentException($"people: '{unknown}' is not a role people can play in a drill; use Commander and/or Operator.");
        }
        return new DrillPlayers(roles.Contains(nameof(TwinRole.Commander)), roles.Contains(nameof(TwinRole.Operator)));
    }
}
