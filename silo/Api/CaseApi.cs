using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Security;

namespace CityOps.Twin.Silo.Api;

/// <summary>Cases: report one, take each step of the loop (one endpoint per step), read them.</summary>
public static class CaseApi
{
    /// <summary>A case reported by an operator: what, of which category, where. Who reports it is the signed-in user.</summary>
    public sealed record ReportRequest(string? Title, string? Description, string? CategoryCode, CaseSource? Source, double? Longitude, double? Latitude);

    /// <summary>What a step needs: a reason (cancel, fail-check), a team (dispatch), a score (evaluate). Who takes it is the signed-in user.</summary>
    public sealed record StepRequest(string? Reason, string? Team, int? Score);

    internal static readonly Dictionary<string, CaseAction> Steps = new(StringComparer.Ordinal)
    {
        ["register"] = CaseAction.Register,
        ["cancel"] = CaseAction.Cancel,
        ["dispatch"] = CaseAction.Dispatch,
        ["start-handling"] = CaseAction.StartHandling,
        ["feedback"] = CaseAction.GiveFeedback,
        ["pass-check"] = CaseAction.PassCheck,
        ["fail-check"] = CaseAction.FailCheck,
        ["evaluate"] = CaseAction.Evaluate,
    };

    public static RouteGroupBuilder MapCaseApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/cases").WithTags("Cases").RequireAuthorization().WithTwinProblems();
        api.MapPost("/", (ReportRequest report, HttpContext http, ITwinCommands commands) => ReportAsync(report, http.Actor(), commands))
            .WithSummary("Reports a case at a point (Operator); its grid is found from the point.");
        api.MapGet("/", ListAsync).WithSummary("Cases, filtered by grid, status and overdue.");
        api.MapGet("/{id}", GetAsync);
        foreach (var (route, action) in Steps)
        {
            api.MapPost($"/{{id}}/{route}", (string id, StepRequest step, HttpContext http, ITwinCommands commands) => StepAsync(id, action, step, http.Actor(), commands))
                .WithSummary($"{action} (Operator); 409 with the allowed steps if the case's status does not allow it; 503 if it could not be stored.");
        }
        return api;
    }

    internal static async Task<IResult> ReportAsync(ReportRequest report, TwinActor actor, ITwinCommands commands)
    {
        if (report.Longitude is null || report.Latitude is null)
        {
            return Results.Problem($"longitude and latitude (WGS84) are required: {(report.Latitude is null ? "latitude" : "longitude")} is missing.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid case");
        }
        try
        {
            var record = await commands.ReportCaseAsync(actor, new CaseReport(
                report.Title ?? string.Empty, report.Description ?? string.Empty, report.CategoryCode ?? string.Empty,
                report.Source ?? CaseSource.Patrol, new GeoPoint(report.Longitude.Value, report.Latitude.Value), actor.Name));
            return Results.Created($"/api/cases/{record.CaseId}", record);
        }
        catch (CaseInputException exception)
        {
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid case");
        }
    }

    internal static async Task<IResult> GetAsync(string id, IClusterClient client) =>
        await client.GetGrain<ICaseGrain>(id).Get() is { } record ? Results.Ok(record) : Results.NotFound();

    internal static async Task<IResult> ListAsync(string? grid, CaseStatus? status, bool? overdue, CityRegistry city, IClusterClient client)
    {
        if (grid is not null && (!city.Areas.TryGetValue(grid, out var area) || area.Level != AreaLevel.Grid))
        {
            return Results.Problem($"'{grid}' is not a grid of the city.", statusCode: StatusCodes.Status404NotFound, title: "Unknown grid");
        }

        var grids = grid is null ? city.City.Grids.Select(g => g.Code) : [grid];
        var cases = await Task.WhenAll(grids.Select(g => client.GetGrain<IGridGrain>(g).GetCases()));
        return Results.Ok(cases.SelectMany(c => c)
            .Where(c => status is null || c.Status == status)
            .Where(c => overdue is null || (c.IsOpen && (c.StepOverdue || c.DisposalOverdue)) == overdue)
            .OrderByDescending(c => c.ReportedAt)
            .ToList());
    }

    /// <summary>Every case of a city (the live one or a drill's), newest first, from its grids.</summary>
    internal static async Task<IEnumerable<CaseRecord>> AllCasesAsync(Contracts.City.ICityDirectory city, IGrainFactory grains)
    {
        var grids = city.Areas.Values.Where(a => a.Level == AreaLevel.Grid).Select(a => a.Code);
        var cases = await Task.WhenAll(grids.Select(g => grains.GetGrain<IGridGrain>(g).GetCases()));
        return cases.SelectMany(c => c).OrderByDescending(c => c.ReportedAt);
    }

    internal static async Task<IResult> StepAsync(string id, CaseAction action, StepRequest step, TwinActor actor, ITwinCommands commands)
    {
        try
        {
            return Results.Ok(await commands.StepCaseAsync(actor, id, new CaseStep(action, actor.Name, step.Reason, step.Team, step.Score)));
        }
        catch (KeyNotFoundException exception)
        {
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status404NotFound, title: "No such case");
        }
        catch (CaseTransitionException exception)
        {
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status409Conflict, title: "Step not allowed",
                extensions: new Dictionary<string, object?> { ["status"] = exception.Status.ToString(), ["allowed"] = exception.Allowed.Select(a => a.ToString()).ToArray() });
        }
        catch (CaseInputException exception)
        {
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status400BadRequest, title: "Step incomplete");
        }
    }
}
