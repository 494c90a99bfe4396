using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Silo.Tests.Storage;
using CityOps.Twin.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests.Faults;

/// <summary>
/// PostgreSQL stopped under a running twin and started again, by the test: live state is served throughout, sensor
/// state and audit lines wait and are written when it returns, a case step that cannot be stored is refused and
/// not taken, and the twin recovers by itself. A second silo over the same database is detected, not obeyed.
/// </summary>
public sealed class PostgresOutageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Waits for what the silo does by itself when the database returns (health, audit queue), on the wall clock:
    /// the recovery under test is the silo's own, so there is no clock to drive.
    /// </summary>
    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Eventually.TrueAsync(condition, Patience, what);

    private static StringContent Reading(string sensor, DateTimeOffset at, double value) => new(
        $$"""{"readings":[{"sensorId":"{{sensor}}","measuredAt":"{{at.ToString("O", CultureInfo.InvariantCulture)}}","value":{{value.ToString(CultureInfo.InvariantCulture)}}}]}""",
        Encoding.UTF8, "application/json");

    private static async Task<string> HealthAsync(HttpClient client) => await (await client.GetAsync("/healthz")).Content.ReadAsStringAsync();

    [Fact]
    public async Task With_the_database_stopped_the_twin_serves_live_state_refuses_undurable_steps_keeps_what_it_accepted_and_recovers_when_it_returns()
    {
        await using var postgres = await PostgresCluster.StartAsync();
        var data = SiloFactory.NewDataFolder();
        string caseId;
        DateTimeOffset lastReading;
        long auditBefore;
        await using (var silo = new SiloFactory(("data", data), ("storage", "postgres"), ("connection", postgres.ConnectionString)))
        {
            silo.CreateClient();
            await silo.WhenCityFiledAsync();
            var http = await silo.CreateTwinClientAsync();
            var created = await (await http.PostAsJsonAsync("/api/cases", new { title = "积水", categoryCode = "0302", longitude = 121.6050, latitude = 31.2050 }))
                .Content.ReadFromJsonAsync<CaseRecord>(DemoSiloFixture.Json);
            caseId = created!.CaseId;
            var start = DateTimeOffset.UtcNow.AddMinutes(-10);
            (await http.PostAsync("/api/ingest/readings", Reading("WL-00021", start, 0.01))).EnsureSuccessStatusCode();
            Assert.Equal("Healthy", await HealthAsync(http));
            var auditLog = silo.Services.GetRequiredService<IAuditLog>();
            auditBefore = (await auditLog.ReadAsync(new AuditQuery(1)))[0].Sequence;

            await postgres.StopServerAsync();

            // Live state is served from memory.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/areas/city")).StatusCode);
            Assert.Equal(CaseStatus.Reported, (await http.GetFromJsonAsync<CaseRecord>($"/api/cases/{caseId}", DemoSiloFixture.Json))!.Status);
            // Readings of a live sensor are taken: its state waits for the database.
            for (var minute = 1; minute <= 5; minute++)
            {
                lastReading = start.AddMinutes(minute);
                var accepted = await http.PostAsync("/api/ingest/readings", Reading("WL-00021", lastReading, 0.01 * minute));
                Assert.Equal(1, (await accepted.Content.ReadFromJsonAsync<Api.IngestionResult>(DemoSiloFixture.Json))!.Accepted);
            }
            lastReading = start.AddMinutes(5);
            // A case step cannot be made durable: refused with a clear error, not taken.
            var step = await http.PostAsJsonAsync($"/api/cases/{caseId}/register", new { });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, step.StatusCode);
            Assert.NotNull(step.Headers.RetryAfter);
            var detail = JsonDocument.Parse(await step.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
            Assert.Contains("was not recorded", detail);
            Assert.Equal(CaseStatus.Reported, (await http.GetFromJsonAsync<CaseRecord>($"/api/cases/{caseId}", DemoSiloFixture.Json))!.Status);
            Assert.Equal("Unhealthy", await HealthAsync(http));
            // What is not in memory (every device is, after filing; a case never asked for is not) cannot be read: a clear 503, not a crash.
            var asleep = await http.GetAsync("/api/cases/C-20260101-never");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, asleep.StatusCode);
            Assert.Contains("database cannot be reached", await asleep.Content.ReadAsStringAsync());
            Assert.True(auditLog.Pending > 0, "the refused step's audit line should wait for the database");

            await postgres.StartServerAsync();

            // By itself: the audit lines are written, the health check sees the database, a step goes through again.
            await WaitUntilAsync(async () => auditLog.Pending == 0 && await HealthAsync(http) == "Healthy", "the twin recovers when the database returns");
            var retried = await http.PostAsJsonAsync($"/api/cases/{caseId}/register", new { });
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
            await silo.WhenWriteBehindSavedAsync(Patience);
        }

        // A new silo over the same database finds everything that was acknowledged, and the audit of the outage.
        await using var again = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "postgres"), ("connection", postgres.ConnectionString));
        again.CreateClient();
        var client = again.Services.GetRequiredService<IClusterClient>();
        Assert.Equal(CaseStatus.Registered, (await client.GetGrain<ICaseGrain>(caseId).Get())!.Status);
        Assert.Equal(lastReading, (await client.GetGrain<ISensorGrain>("WL-00021").GetSnapshot())!.MeasuredAt);
        var lines = await again.Services.GetRequiredService<IAuditLog>().ReadAsync(new AuditQuery(100));
        var steps = lines.Where(l => l.Sequence > auditBefore && l.Record.Target == caseId).Reverse().Select(l => $"{l.Record.Action}:{l.Record.Outcome}").ToList();
        Assert.Equal(["case.Register:failed", "case.Register:ok"], steps);
    }

    [Fact]
    public async Task Two_silos_over_one_database_are_detected_by_the_version_conflict_and_nothing_is_overwritten()
    {
        await using var postgres = await PostgresCluster.StartAsync();
        await using var first = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "postgres"), ("connection", postgres.ConnectionString));
        first.CreateClient();
        await first.WhenCityFiledAsync();
        await using var second = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "postgres"), ("connection", postgres.ConnectionString));
        second.CreateClient();
        await second.WhenCityFiledAsync();
        var one = await first.CreateTwinClientAsync();
        var two = await second.CreateTwinClientAsync();
        var caseId = (await (await one.PostAsJsonAsync("/api/cases", new { title = "占道", categoryCode = "0302", longitude = 121.6050, latitude = 31.2050 }))
            .Content.ReadFromJsonAsync<CaseRecord>(DemoSiloFixture.Json))!.CaseId;
        // The second silo activates the case too: now both hold it in memory.
        Assert.Equal(CaseStatus.Reported, (await two.GetFromJsonAsync<CaseRecord>($"/api/cases/{caseId}", DemoSiloFixture.Json))!.Status);

        var registered = await one.PostAsJsonAsync($"/api/cases/{caseId}/register", new { });
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        var stale = await two.PostAsJsonAsync($"/api/cases/{caseId}/cancel", new { reason = "重复" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, stale.StatusCode);
        Assert.Contains("another silo changed this case", await stale.Content.ReadAsStringAsync());
        // Nothing was overwritten; the second silo now shows what is stored.
        Assert.Equal(CaseStatus.Registered, (await two.GetFromJsonAsync<CaseRecord>($"/api/cases/{caseId}", DemoSiloFixture.Json))!.Status);
        Assert.Equal(CaseStatus.Registered, (await one.GetFromJsonAsync<CaseRecord>($"/api/cases/{caseId}", DemoSiloFixture.Json))!.Status);
        // And it is reported: the health check says so, with the grain.
        Assert.Equal("Unhealthy", await HealthAsync(two));
        var detail = await (await two.GetAsync("/healthz/detail")).Content.ReadAsStringAsync();
        Assert.Contains("two silos over one database", detail);
        Assert.Contains(caseId, detail);
    }

    [Fact]
    public async Task The_database_itself_refuses_to_change_or_remove_audit_lines_on_postgresql_too()
    {
        await using var postgres = await PostgresCluster.StartAsync();
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "postgres"), ("connection", postgres.ConnectionString));
        silo.CreateClient();
        await silo.Services.GetRequiredService<IAuditLog>().AppendAsync(new AuditRecord("test", "-", "system", null, "test.line", null, "ok"));

        await using var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[] { "UPDATE twin_audit SET outcome = 'forbidden'", "DELETE FROM twin_audit", "TRUNCATE twin_audit" })
        {
            var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => new Npgsql.NpgsqlCommand(sql, connection).ExecuteNonQueryAsync());
            Assert.Contains(CityOps.Twin.Silo.Security.RelationalSecurityStore.AppendOnlyMessage, refused.MessageText);
        }
        Assert.Contains(await silo.Services.GetRequiredService<IAuditLog>().ReadAsync(new AuditQuery(10)), l => l.Record.Action == "test.line");
    }
}
