using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Security;

namespace CityOps.Twin.Silo.Api;

/// <summary>The city's mode (平急切换): read it, read its audit, switch it.</summary>
public static class ModeApi
{
    public static RouteGroupBuilder MapModeApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/mode").WithTags("Mode").RequireAuthorization().WithTwinProblems();
        api.MapGet("/", (IClusterClient client) => client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode())
            .WithSummary("The city's mode: normal, or emergency with its kind, response level and districts.");
        api.MapGet("/history", (IClusterClient client) => client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetHistory())
            .WithSummary("Every switch: from what to what, by whom, when and why.");
        api.MapPost("/switch", SwitchAsync)
            .WithSummary("Switches the city's mode (Commander; the signed-in user is who switches); in force at every sensor when it answers. 400 says why a switch is refused.");
        return api;
    }

    internal static async Task<IResult> SwitchAsync(ModeSwitch request, HttpContext http, ITwinCommands commands)
    {
        try
        {
            return Results.Ok(await commands.SwitchModeAsync(http.Actor(), request with { Districts = request.Districts ?? [], By = http.Actor().Name }));
        }
        catch (ModeSwitchException exception)
        {
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status400BadRequest, title: "Switch refused");
        }
    }
}
