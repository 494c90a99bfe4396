using System.Globalization;
using System.Text;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Security;

namespace CityOps.Twin.Silo.Api;

/// <summary>Users, API keys and the audit log (Admin only). The audit log can be read and exported, never changed: it has no other verbs.</summary>
public static class AdminApi
{
    public sealed record NewUser(string? Name, IReadOnlyList<TwinRole>? Roles, string? Password);

    public sealed record CreatedUser(string Name, IReadOnlyList<TwinRole> Roles, string Password);

    public sealed record RolesRequest(IReadOnlyList<TwinRole>? Roles);

    public sealed record NewKey(string? Name, IReadOnlyList<string>? Devices, bool? Open311);

    public sealed record CreatedKey(KeyView Key, string Secret);

    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/admin").WithTags("Administration").RequireAuthorization(SecurityHosting.AdminPolicy).WithTwinProblems();
        api.MapGet("/users", (HttpContext http, ITwinAdministration admin) => admin.ListUsersAsync(http.Actor()));
        api.MapPost("/users", async (NewUser user, HttpContext http, ITwinAdministration admin) =>
        {
            var roles = user.Roles ?? [];
            var password = await admin.CreateUserAsync(http.Actor(), user.Name ?? "", roles, user.Password);
            return Results.Created($"/api/admin/users/{Uri.EscapeDataString(user.Name!.Trim())}", new CreatedUser(user.Name.Trim(), roles, password));
        }).WithSummary("Creates a user; the answer holds the password (generated unless given), shown this once.");
        api.MapPut("/users/{name}/roles", (string name, RolesRequest request, HttpContext http, ITwinAdministration admin) => admin.SetRolesAsync(http.Actor(), name, request.Roles ?? []))
            .WithSummary("Sets a user's roles {\"roles\":[...]}; their sessions end.");
        api.MapPost("/users/{name}/disable", (string name, HttpContext http, ITwinAdministration admin) => admin.SetDisabledAsync(http.Actor(), name, true));
        api.MapPost("/users/{name}/enable", (string name, HttpContext http, ITwinAdministration admin) => admin.SetDisabledAsync(http.Actor(), name, false));
        api.MapPost("/users/{name}/password", async (string name, HttpContext http, ITwinAdministration admin) =>
            Results.Ok(new { password = await admin.ResetPasswordAsync(http.Actor(), name) })).WithSummary("Sets a new generated password, shown this once; the user's sessions end.");

        api.MapGet("/keys", (HttpContext http, ITwinAdministration admin) => admin.ListKeysAsync(http.Actor()));
        api.MapPost("/keys", async (NewKey key, HttpContext http, ITwinAdministration admin) =>
        {
            var (view, secret) = await admin.CreateKeyAsync(http.Actor(), key.Name ?? "", key.Devices ?? [], key.Open311 ?? false);
            return Results.Created($"/api/admin/keys/{view.Id}", new CreatedKey(view, secret));
        }).WithSummary("Creates an ingestion key for devices (ids, prefixes ending in '*', or '*'); the answer holds its secret, shown this once.");
        api.MapDelete("/keys/{id}", async (string id, HttpContext http, ITwinAdministration admin) =>
        {
            await admin.RevokeKeyAsync(http.Actor(), id);
            return Results.NoContent();
        }).WithSummary("Revokes a key: its next request gets 401.");

        api.MapGet("/audit", (int? count, long? before, string? actor, string? action, HttpContext http, ITwinAdministration admin) =>
            admin.ReadAuditAsync(http.Actor(), new AuditQuery(count ?? 200, before, actor, action))).WithSummary("Audit lines, newest first.");
        api.MapGet("/audit.csv", ExportAsync).WithSummary("The audit log (or its lines of an actor or action) as CSV, oldest first.");
        return api;
    }

    private static async Task<IResult> ExportAsync(string? actor, string? action, HttpContext http, ITwinAdministration admin, IAuditLog audit)
    {
        var lines = await admin.ReadAuditAsync(http.Actor(), new AuditQuery(100_000, null, actor, action));
        await audit.AppendAsync(AuditRecord.Of(http.Actor(), "audit.export", null, "ok", detail: $"{lines.Count} lines"));
        var csv = new StringBuilder("sequence,at,actor,roles,channel,address,action,target,outcome,before,after,detail\n");
        foreach (var line in lines.Reverse())
        {
            var r = line.Record;
            csv.AppendJoin(',', new[] { line.Sequence.ToString(CultureInfo.InvariantCulture), line.At.ToString("O", CultureInfo.InvariantCulture),
                r.Actor, r.Roles, r.Channel, r.Address, r.Action, r.Target, r.Outcome, r.Before, r.After, r.Detail }.Select(Field)).Append('\n');
        }
        return Results.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray(), "text/csv; charset=utf-8", "cityops-twin-audit.csv");
    }

    // RFC 4180 quoting; a field a spreadsheet would run as a formula is prefixed with an apostrophe.
    private static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value[0] is '=' or '+' or '@' || (value[0] == '-' && value.Length > 1))
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
