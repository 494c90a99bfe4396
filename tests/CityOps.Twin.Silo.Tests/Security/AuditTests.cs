using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Security;
using Microsoft.Data.Sqlite;

namespace CityOps.Twin.Silo.Tests.Security;

/// <summary>The audit log: who, when, what, from where, before and after; readable and exportable by Admin; unalterable.</summary>
public sealed class AuditTests(SecuritySiloFixture fixture) : IClassFixture<SecuritySiloFixture>
{
    [Fact]
    public async Task A_case_step_is_audited_with_who_from_where_and_the_status_before_and_after()
    {
        var operatorClient = fixture.Clients[TwinRole.Operator];
        var created = await (await operatorClient.PostAsJsonAsync("/api/cases", new { title = "积水", categoryCode = "0302", longitude = 121.6050, latitude = 31.2050 }))
            .Content.ReadFromJsonAsync<CaseRecord>(DemoSiloFixture.Json);

        var registered = await (await operatorClient.PostAsJsonAsync($"/api/cases/{created!.CaseId}/register", new { })).Content.ReadFromJsonAsync<CaseRecord>(DemoSiloFixture.Json);

        // The step is the signed-in user's, whatever a request might claim.
        Assert.Equal(fixture.Names[TwinRole.Operator], registered!.Timeline[^1].Actor);
        var line = (await fixture.AuditAsync(action: "case.Register")).First(l => l.Record.Target == created.CaseId);
        Assert.Equal((fixture.Names[TwinRole.Operator], "ok", "api"), (line.Record.Actor, line.Record.Outcome, line.Record.Channel));
        Assert.Equal("Reported", JsonDocument.Parse(line.Record.Before!).RootElement.GetProperty("status").GetString());
        Assert.Equal("Registered", JsonDocument.Parse(line.Record.After!).RootElement.GetProperty("status").GetString());
        Assert.True(DateTimeOffset.UtcNow - line.At < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_mode_switch_is_audited_with_the_mode_before_and_after()
    {
        var commander = fixture.Clients[TwinRole.Commander];
        (await commander.PostAsJsonAsync("/api/mode/switch", new { to = "Emergency", kind = "Flood", level = "IV", districts = Array.Empty<string>(), reason = "审计演示" })).EnsureSuccessStatusCode();
        (await commander.PostAsJsonAsync("/api/mode/switch", new { to = "Normal", districts = Array.Empty<string>(), reason = "审计演示结束" })).EnsureSuccessStatusCode();

        var lines = (await fixture.AuditAsync(action: "mode.switch")).Where(l => l.Record.Outcome == "ok").Take(2).Reverse().ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("Normal", Mode(lines[0].Record.Before));
        Assert.Equal("Emergency", Mode(lines[0].Record.After));
        Assert.Equal("Emergency", Mode(lines[1].Record.Before));
        Assert.Equal("Normal", Mode(lines[1].Record.After));
        Assert.All(lines, l => Assert.Equal(fixture.Names[TwinRole.Commander], l.Record.Actor));

        static string? Mode(string? json) => JsonDocument.Parse(json!).RootElement.GetProperty("operating").GetString();
    }

    [Fact]
    public async Task Sign_ins_are_audited_and_a_wrong_password_is_refused_without_saying_which_part_was_wrong()
    {
        var client = fixture.Silo.CreateClient();
        var wrong = await client.PostAsJsonAsync("/api/account/signin", new { name = fixture.Names[TwinRole.Leader], password = "not the password" });
        var unknown = await client.PostAsJsonAsync("/api/account/signin", new { name = "nobody-here", password = "not the password" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(await wrong.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
        Assert.Contains(await fixture.AuditAsync(actor: fixture.Names[TwinRole.Leader], action: "signin"), l => l.Record.Outcome == "refused");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/account/me")).StatusCode);
    }

    [Fact]
    public async Task After_ten_failed_sign_ins_a_name_is_locked_for_a_while_even_to_its_right_password_and_others_are_not()
    {
        var password = await fixture.Silo.Services.GetRequiredService<UserDirectory>().CreateAsync("guessed-at", [TwinRole.Leader]);
        var client = fixture.Silo.CreateClient();
        for (var i = 0; i < SignInThrottle.MaxFailures; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/account/signin", new { name = "guessed-at", password = $"guess {i:D4} long enough" })).StatusCode);
        }

        var locked = await client.PostAsJsonAsync("/api/account/signin", new { name = "guessed-at", password });

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(4));
        Assert.Contains(await fixture.AuditAsync(actor: "guessed-at", action: "signin"), l => l.Record.Detail!.Contains("locked after"));
        var other = await fixture.Silo.Services.GetRequiredService<UserDirectory>().CreateAsync("not-guessed-at", [TwinRole.Leader]);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/account/signin", new { name = "not-guessed-at", password = other })).StatusCode);
    }

    [Fact]
    public async Task A_session_ends_when_its_user_is_disabled_or_loses_a_role()
    {
        var users = fixture.Silo.Services.GetRequiredService<UserDirectory>();
        var client = await fixture.Silo.SignedInAsAsync("short-lived", TwinRole.Operator, TwinRole.Leader);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/account/me")).StatusCode);

        (await fixture.Clients[TwinRole.Admin].PutAsJsonAsync("/api/admin/users/short-lived/roles", new { roles = new[] { "Leader" } })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/account/me")).StatusCode);

        var again = fixture.Silo.CreateClient();
        var password = await users.SetPasswordAsync("short-lived", "a new long password").ContinueWith(_ => "a new long password");
        (await again.PostAsJsonAsync("/api/account/signin", new { name = "short-lived", password })).EnsureSuccessStatusCode();
        (await fixture.Clients[TwinRole.Admin].PostAsync("/api/admin/users/short-lived/disable", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.GetAsync("/api/account/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Silo.CreateClient().PostAsJsonAsync("/api/account/signin", new { name = "short-lived", password })).StatusCode);
    }

    [Fact]
    public async Task A_disabled_user_acting_in_an_open_view_is_told_the_account_is_disabled_not_that_a_role_they_hold_is_missing()
    {
        var users = fixture.Silo.Services.GetRequiredService<UserDirectory>();
        await users.CreateAsync("disabled-in-view", [TwinRole.Operator]);
        var inView = new TwinActor("disabled-in-view", [TwinRole.Operator], "127.0.0.1", TwinChannels.View);
        await users.SetDisabledAsync("disabled-in-view", true);

        var refused = await Assert.ThrowsAsync<TwinForbiddenException>(() => fixture.Silo.Services.GetRequiredService<ITwinCommands>().ReportCaseAsync(
            inView, new CaseReport("积水", "", "0302", CaseSource.Patrol, new CityOps.Twin.Contracts.Geo.GeoPoint(121.6050, 31.2050), "disabled-in-view")));

        Assert.Equal("disabled-in-view may not work cases: the account is disabled (an administrator can enable it).", refused.Message);
        Assert.Contains(await fixture.AuditAsync(actor: "disabled-in-view"), l => l.Record.Outcome == "forbidden" && l.Record.Detail == refused.Message);
    }

    [Fact]
    public async Task A_sign_in_body_that_is_not_JSON_gets_a_problem_detail_saying_what_was_wrong()
    {
        var client = fixture.Silo.CreateClient();

        var broken = await client.PostAsync("/api/account/signin", new StringContent("{\"name\": \"admin\", \"password\": ", System.Text.Encoding.UTF8, "application/json"));
        var untyped = await client.PostAsync("/api/account/signin", new ByteArrayContent("{\"name\": \"admin\"}"u8.ToArray()));
        var wrongType = await client.PostAsync("/api/account/signin", new StringContent("{\"name\": 42, \"password\": \"x\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("The body is not a JSON object {\"name\": \"...\", \"password\": \"...\"}: ", Detail(await broken.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, untyped.StatusCode);
        Assert.Contains("sent as application/json; it came as 'no content type'", Detail(await untyped.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("$.name", Detail(await wrongType.Content.ReadAsStringAsync()));

        static string Detail(string problem) => JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task The_audit_log_exports_as_csv_for_the_admin_only_and_a_name_a_spreadsheet_would_run_is_quoted_inert()
    {
        // Anyone can put a name in the log by failing to sign in with it.
        await fixture.Silo.CreateClient().PostAsJsonAsync("/api/account/signin", new { name = "=HYPERLINK(\"http://x\",\"y\")", password = "whatever it is" });

        var csv = await fixture.Clients[TwinRole.Admin].GetStringAsync("/api/admin/audit.csv");

        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", csv);
        Assert.DoesNotContain(",=HYPERLINK", csv);

        var header = csv.TrimStart('\uFEFF').Split('\n')[0];
        Assert.Equal("sequence,at,actor,roles,channel,address,action,target,outcome,before,after,detail", header);
        Assert.Contains(",signin,", csv);
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Clients[TwinRole.Commander].GetAsync("/api/admin/audit.csv")).StatusCode);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task The_application_offers_no_way_to_change_or_remove_audit_lines(string method)
    {
        var admin = fixture.Clients[TwinRole.Admin];
        var before = await fixture.AuditAsync();

        foreach (var path in new[] { "/api/admin/audit", $"/api/admin/audit/{before[0].Sequence}", "/api/admin/audit.csv" })
        {
            var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { outcome = "ok" }) });
            Assert.True(response.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound, $"{method} {path}: {response.StatusCode}");
        }
        var after = await fixture.AuditAsync();
        Assert.Equal(before.Select(l => l.Record), after.Where(l => l.Sequence <= before[0].Sequence).Select(l => l.Record));
    }

    [Fact]
    public async Task The_database_itself_refuses_to_update_or_delete_an_audit_line()
    {
        var first = (await fixture.AuditAsync()).Last();
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.DataFolder, "cityops-twin.db")}");
        await connection.OpenAsync();

        foreach (var sql in new[] { "UPDATE twin_audit SET outcome = 'ok', actor = 'someone else'", "DELETE FROM twin_audit" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var refused = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains(RelationalSecurityStore.AppendOnlyMessage, refused.Message);
        }
        Assert.Equal(first, (await fixture.AuditAsync()).Last());
    }
}
