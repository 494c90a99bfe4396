using System.Security.Claims;
using System.Threading.RateLimiting;
using CityOps.Twin.Contracts.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http.Features;

namespace CityOps.Twin.Silo.Security;

/// <summary>
/// Sign-in (a cookie for the view and the API), roles, API keys for ingestion with a rate per key, request size
/// limits, security headers and HTTPS by configuration.
/// </summary>
public static class SecurityHosting
{
    public const string CookieName = "cityops.twin.auth";
    public const string AdminPolicy = "admin";
    private const string StampClaim = "twin:stamp";

    public static IServiceCollection AddTwinSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Security").Get<SecurityOptions>() ?? new SecurityOptions();
        services.AddSingleton(options);
        services.AddSingleton<ISecurityStore>(sp => sp.GetService<Storage.TwinDatabase>() is { } database
            ? new RelationalSecurityStore(database)
            : new MemorySecurityStore());
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<ApiKeyDirectory>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        services.AddHostedService<FirstRunSetup>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<TwinGuard>();
        services.AddSingleton<ITwinCommands, TwinCommands>();
        services.AddSingleton<ITwinAdministration, TwinAdministration>();
        services.AddSingleton<IngestionKeys>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditingAuthorizationResultHandler>();

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.Cookie.Name = CookieName;
            // Sessions run on the wall clock, also where the twin's clock is a drill's or a test's.
            cookie.TimeProvider = TimeProvider.System;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = options.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = options.SessionIdle;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/signin";
            cookie.Events.OnRedirectToLogin = context => IsApi(context.Request)
                ? Problem(context.HttpContext, StatusCodes.Status401Unauthorized, "Not signed in", "Sign in first: POST /api/account/signin {\"name\",\"password\"}.")
                : Redirect(context);
            cookie.Events.OnValidatePrincipal = ValidateSessionAsync;
        });
        services.AddAuthorizationBuilder().AddPolicy(AdminPolicy, policy => policy.RequireRole(nameof(TwinRole.Admin)));
        services.AddCascadingAuthenticationState();
        // Every answer says X-Frame-Options: DENY (below); antiforgery's own SAMEORIGIN would be a second, weaker one.
        services.AddAntiforgery(antiforgery => antiforgery.SuppressXFrameOptionsHeader = true);
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);
        services.Configure<FormOptions>(form => form.ValueLengthLimit = 64 * 1024);
        if (options.RequireHttps)
        {
            services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(180));
        }
        return services;
    }

    public static WebApplication UseTwinSecurity(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<SecurityOptions>();
        app.UseExceptionHandler(failed => failed.Run(UnhandledAsync));
        if (options.RequireHttps)
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        app.Use(SecurityHeaders);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The claims of a signed-in user: name, each role, and the stamp of the record it was issued against.</summary>
    public static ClaimsPrincipal Principal(StoredUser user) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, user.Name), new Claim(StampClaim, user.Stamp), .. user.Roles.Select(r => new Claim(ClaimTypes.Role, r.ToString()))],
        CookieAuthenticationDefaults.AuthenticationScheme));

    /// <summary>The signed-in user behind a request, as the audit names it.</summary>
    public static TwinActor Actor(this HttpContext context) => TwinActor.Of(context.User, context.Connection.RemoteIpAddress?.ToString(), TwinChannels.Api);

    // A session ends when its user is disabled, or their roles or password change: the next request signs in again.
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.Identity?.Name;
        var user = name is null ? null : await context.HttpContext.RequestServices.GetRequiredService<UserDirectory>().CurrentAsync(name);
        if (user is null || user.Disabled || user.Stamp != context.Principal!.FindFirstValue(StampClaim))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// What escaped an endpoint: the database out of reach (a grain that had to be read from it, while it is down) is
    /// 503 with Retry-After and says so; so is the cluster changing under a call (a silo stopping or dead before the
    /// others know: Orleans refuses or times out the call, and the same call succeeds shortly after); anything else
    /// is 500 with no internals. All are logged by ASP.NET.
    /// </summary>
    private static Task UnhandledAsync(HttpContext context)
    {
        var error = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error;
        var cause = error?.InnerException ?? error;
        if (error is System.Data.Common.DbException or System.Net.Sockets.SocketException
            || cause is System.Data.Common.DbException or System.Net.Sockets.SocketException)
        {
            context.Response.Headers.RetryAfter = "5";
            return Problem(context, StatusCodes.Status503ServiceUnavailable, "Database unavailable",
                $"The twin's database cannot be reached ({error!.Message}); what is live is still served, this needed the database. Try again shortly.");
        }
        if (error is OrleansMessageRejectionException or TimeoutException || cause is OrleansMessageRejectionException or TimeoutException)
        {
            context.Response.Headers.RetryAfter = "1";
            return Problem(context, StatusCodes.Status503ServiceUnavailable, "Cluster changing",
                $"A silo of the twin's cluster is stopping, starting or unreachable and this request was caught in it ({error!.Message}); nothing of it was acknowledged. Try again in a second.");
        }
        return Problem(context, StatusCodes.Status500InternalServerError, "Internal error", "The twin could not answer this request; it has been logged.");
    }

    /// <summary>Requests a program makes (the API, the map's data, the circuit's hub): they get 401/403 with a problem detail, not the sign-in page.</summary>
    internal static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/open311") || request.Path.StartsWithSegments("/twin")
        || request.Path.StartsWithSegments("/_blazor");

    internal static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(detail, statusCode: status, title: title).ExecuteAsync(context);

    // Blazor Server needs its script and a WebSocket to its own origin, and inline style attributes (the map's
    // colours); nothing else is loaded, and nothing may frame the twin.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        return next(context);
    }
}

/// <summary>
/// A request its user's roles do not allow gets 403 with a problem detail (a page for the view) and an audit
/// line; a request without sign-in gets the cookie's answer (401 for the API, the sign-in page for the view).
/// </summary>
internal sealed class AuditingAuthorizationResultHandler(IAuditLog audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        var actor = context.Actor();
        var what = $"{context.Request.Method} {context.Request.Path}";
        var detail = $"{actor.Name} ({actor.RoleList}) may not {what}: that needs the role Admin.";
        await audit.AppendAsync(AuditRecord.Of(actor, "http.forbidden", what, "forbidden", detail: detail));
        if (SecurityHosting.IsApi(context.Request))
        {
            await SecurityHosting.Problem(context, StatusCodes.Status403Forbidden, "Forbidden", detail);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($"<!DOCTYPE html><html lang=\"zh-Hans\"><meta charset=\"utf-8\"><title>无权访问 Forbidden</title><body><h1>无权访问 Forbidden</h1><p>{System.Net.WebUtility.HtmlEncode(detail)}</p><p><a href=\"/\">返回 Back</a></p></body></html>");
    }
}

/// <summary>
/// Ingestion and Open311 intake by API key: the key is found by its secret (header X-Api-Key, or Open311's
/// api_key field), a revoked or unknown key gets 401 (audited), and each key has its own token bucket: a key over
/// its rate gets 429 with Retry-After, other keys are not slowed.
/// </summary>
public sealed class IngestionKeys(ApiKeyDirectory keys, IAuditLog audit, SecurityOptions options) : IDisposable
{
    public const string Header = "X-Api-Key";

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(id => RateLimitPartition.GetTokenBucketLimiter(id, _ => new TokenBucketRateLimiterOptions
    {
        TokenLimit = Math.Max(1, options.KeyBurst),
        TokensPerPeriod = Math.Max(1, options.KeyRequestsPerSecond),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    }));

    private long _limited;

    /// <summary>Requests refused 429 since start.</summary>
    public long Limited => Interlocked.Read(ref _limited);

    /// <summary>
    /// The live key presented, or why not: 401 (none, unknown or revoked; audited) or 429 over its rate (Retry-After
    /// is set on the response). Each endpoint answers the refusal in its own format.
    /// </summary>
    public async Task<(StoredKey? Key, KeyRefusal? Refusal)> AdmitAsync(HttpContext context, string? secret, string what)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            return (null, new KeyRefusal(StatusCodes.Status401Unauthorized, "No API key", $"An API key is required: send it in the {Header} header."));
        }
        var key = await keys.FindAsync(secret.Trim());
        if (key is null)
        {
            await audit.AppendAsync(new AuditRecord("unknown key", "-", TwinChannels.Key, context.Connection.RemoteIpAddress?.ToString(), what, null, "forbidden",
                Detail: "an unknown or revoked API key was presented"));
            return (null, new KeyRefusal(StatusCodes.Status401Unauthorized, "Invalid API key", "The API key is unknown or has been revoked."));
        }
        using var lease = _limiter.AttemptAcquire(key.Id);
        if (!lease.IsAcquired)
        {
            Interlocked.Increment(ref _limited);
            var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
            context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (null, new KeyRefusal(StatusCodes.Status429TooManyRequests, "Too many requests",
                $"API key '{key.Name}' is over its rate of {options.KeyRequestsPerSecond} requests a second; retry after {retry} s."));
        }
        return (key, null);
    }

    public static TwinActor Actor(StoredKey key, HttpContext context) =>
        new($"key:{key.Id} {key.Name}", [], context.Connection.RemoteIpAddress?.ToString(), TwinChannels.Key);

    public void Dispose() => _limiter.Dispose();
}

/// <summary>Why a request's API key was not admitted: the status to answer and what to say.</summary>
public sealed record KeyRefusal(int Status, string Title, string Detail)
{
    public IResult AsProblem() => Results.Problem(Detail, statusCode: Status, title: Title);
}
