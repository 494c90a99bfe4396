using System.Text.Json;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace CityOps.Twin.Silo.Api;

/// <summary>
/// Sign-in and sign-out: the view's form (antiforgery-checked, then back to the page asked for) and the same as
/// JSON for API clients. Every sign-in, failed sign-in and sign-out is audited.
/// </summary>
public static class AccountApi
{
    public sealed record SignInRequest(string? Name, string? Password);

    public sealed record Me(string Name, IReadOnlyList<TwinRole> Roles);

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("account/signin", SignInFormAsync).ExcludeFromDescription();
        app.MapPost("account/signout", SignOutFormAsync).ExcludeFromDescription().RequireAuthorization();

        var api = app.MapGroup("api/account").WithTags("Account");
        api.MapPost("/signin", SignInJsonAsync).DisableAntiforgery().Accepts<SignInRequest>("application/json")
            .WithSummary("Signs in with a name and password; the answer sets the session cookie.");
        api.MapPost("/signout", async (HttpContext context, IAuditLog audit) =>
        {
            await SignOutAsync(context, audit);
            return Results.NoContent();
        }).RequireAuthorization();
        api.MapGet("/me", (HttpContext context) => new Me(context.Actor().Name, context.Actor().Roles)).RequireAuthorization()
            .WithSummary("Who is signed in, with which roles.");
        return app;
    }

    private static async Task<IResult> SignInFormAsync([FromForm] string? name, [FromForm] string? password, [FromForm] string? returnUrl, HttpContext context, UserDirectory users, SignInThrottle throttle, IAuditLog audit)
    {
        var local = returnUrl is { Length: > 0 } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";
        return await SignInAsync(context, users, throttle, audit, name, password, TwinChannels.View) switch
        {
            SignInOutcome.SignedIn => Results.LocalRedirect(local),
            SignInOutcome.Locked => Results.LocalRedirect($"/signin?failed=2&returnUrl={Uri.EscapeDataString(local)}"),
            _ => Results.LocalRedirect($"/signin?failed=1&returnUrl={Uri.EscapeDataString(local)}"),
        };
    }

    /// <summary>
    /// The body is read here rather than bound by the framework, whose refusal of a body that is not JSON is a bare 400:
    /// a client is told what was wrong with it.
    /// </summary>
    private static async Task<IResult> SignInJsonAsync(HttpContext context, UserDirectory users, SignInThrottle throttle, IAuditLog audit)
    {
        const string Shape = "a JSON object {\"name\": \"...\", \"password\": \"...\"}";
        if (!context.Request.HasJsonContentType())
        {
            return Results.Problem($"The body must be {Shape} sent as application/json; it came as '{context.Request.ContentType ?? "no content type"}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Sign-in refused");
        }
        SignInRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<SignInRequest>(context.RequestAborted);
        }
        catch (JsonException exception)
        {
            return Results.Problem($"The body is not {Shape}: {exception.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Sign-in refused");
        }
        if (request is null)
        {
            return Results.Problem($"The body is JSON null, not {Shape}.", statusCode: StatusCodes.Status400BadRequest, title: "Sign-in refused");
        }
        return await SignInAsync(context, users, throttle, audit, request.Name, request.Password, TwinChannels.Api) switch
        {
            SignInOutcome.SignedIn => Results.Ok(new Me(request.Name!.Trim(), (await users.CurrentAsync(request.Name.Trim()))!.Roles)),
            SignInOutcome.Locked => Results.Problem(
                $"Too many failed sign-ins for this name; try again in {context.Response.Headers.RetryAfter} s.", statusCode: StatusCodes.Status429TooManyRequests, title: "Sign-in locked"),
            _ => Results.Problem("The name or the password is wrong, or the user is disabled.", statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed"),
        };
    }

    private enum SignInOutcome
    {
        SignedIn,
        Refused,
        Locked,
    }

    private static async Task<SignInOutcome> SignInAsync(HttpContext context, UserDirectory users, SignInThrottle throttle, IAuditLog audit, string? name, string? password, string channel)
    {
        var address = context.Connection.RemoteIpAddress?.ToString();
        var who = (name ?? "").Trim();
        var auditName = who.Length is > 0 and <= 64 ? who : "-";
        if (await throttle.LockedForAsync(who) is { } locked)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(locked.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await audit.AppendAsync(new AuditRecord(auditName, "-", channel, address, "signin", null, "refused", Detail: $"locked after {SignInThrottle.MaxFailures} failed sign-ins"));
            return SignInOutcome.Locked;
        }
        var user = await users.VerifyAsync(who, password ?? "");
        if (user is null)
        {
            await throttle.FailedAsync(who);
            await audit.AppendAsync(new AuditRecord(auditName, "-", channel, address, "signin", null, "refused", Detail: "wrong name or password, or the user is disabled"));
            return SignInOutcome.Refused;
        }
        await throttle.SucceededAsync(who);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, SecurityHosting.Principal(user));
        await audit.AppendAsync(new AuditRecord(user.Name, string.Join(",", user.Roles), channel, address, "signin", null, "ok"));
        return SignInOutcome.SignedIn;
    }

    private static async Task<IResult> SignOutFormAsync(HttpContext context, IAuditLog audit)
    {
        await SignOutAsync(context, audit);
        return Results.LocalRedirect("/signin");
    }

    private static async Task SignOutAsync(HttpContext context, IAuditLog audit)
    {
        await audit.AppendAsync(AuditRecord.Of(context.Actor(), "signout", null, "ok"));
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }
}
