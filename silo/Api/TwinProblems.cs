using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Silo.Api;

/// <summary>
/// The API's answers to the security and durability exceptions every group shares: 403 for a forbidden action
/// (already audited), 503 with Retry-After for a change that could not be stored, 400 for a bad user or key request.
/// </summary>
public static class TwinProblems
{
    public static TBuilder WithTwinProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (TwinForbiddenException exception)
            {
                return Results.Problem(exception.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
            }
            catch (TwinNotDurableException exception)
            {
                context.HttpContext.Response.Headers.RetryAfter = "5";
                return Results.Problem(exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not recorded");
            }
            catch (SecurityInputException exception)
            {
                return Results.Problem(exception.Message, statusCode: StatusCodes.Status400BadRequest, title: "Refused");
            }
        });
}
