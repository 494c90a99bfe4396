using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Silo.Api;

namespace CityOps.Twin.Silo.Tests.Security;

/// <summary>Ingestion by API key: scoped to its devices, stored hashed, revocable, rate-limited per key.</summary>
public sealed class ApiKeyTests(SecuritySiloFixture fixture) : IClassFixture<SecuritySiloFixture>
{
    private static StringContent Reading(string sensor, double value, int minutesAgo = 1) => new(
        $$"""{"readings":[{"sensorId":"{{sensor}}","measuredAt":"{{DateTimeOffset.UtcNow.AddMinutes(-minutesAgo).ToString("O", CultureInfo.InvariantCulture)}}","value":{{value.ToString(CultureInfo.InvariantCulture)}}}]}""",
        Encoding.UTF8, "application/json");

    private Task<SensorSnapshot?> SensorAsync(string id) => fixture.Silo.Services.GetRequiredService<IClusterClient>().GetGrain<ISensorGrain>(id).GetSnapshot();

    [Fact]
    public async Task A_key_sends_for_its_own_devices_only_and_data_for_others_is_refused_403_unchanged_and_audited()
    {
        var gateway = await fixture.Silo.KeyClientAsync(["RF-0000*"]);
        var before = await SensorAsync("WL-00002");

        var own = await gateway.PostAsync("/api/ingest/readings", Reading("RF-00003", 12.5));
        var other = await gateway.PostAsync("/api/ingest/readings", Reading("WL-00002", 0.3));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(1, (await own.Content.ReadFromJsonAsync<IngestionResult>(DemoSiloFixture.Json))!.Accepted);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Contains("not among the devices of API key", await other.Content.ReadAsStringAsync());
        Assert.Equal((before!.Value, before.MeasuredAt), ((await SensorAsync("WL-00002"))!.Value, (await SensorAsync("WL-00002"))!.MeasuredAt));
        Assert.Contains(await fixture.AuditAsync(action: "ingest.readings"), line => line.Record.Outcome == "forbidden" && line.Record.Target == "WL-00002");
    }

    [Fact]
    public async Task A_batch_mixing_devices_keeps_the_ones_in_scope_and_names_each_refused_item()
    {
        var gateway = await fixture.Silo.KeyClientAsync(["RF-00004"]);
        var at = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
        var body = $$"""{"readings":[{"sensorId":"RF-00004","measuredAt":"{{at}}","value":3},{"sensorId":"RF-00005","measuredAt":"{{at}}","value":3}]}""";

        var response = await gateway.PostAsync("/api/ingest/readings", new StringContent(body, Encoding.UTF8, "application/json"));

        var result = (await response.Content.ReadFromJsonAsync<IngestionResult>(DemoSiloFixture.Json))!;
        Assert.Equal(1, result.Accepted);
        var refused = Assert.Single(result.Rejected);
        Assert.Equal((1, "RF-00005"), (refused.Index, refused.DeviceId));
    }

    [Fact]
    public async Task No_key_an_unknown_key_and_a_revoked_key_get_401_and_a_revoked_key_stops_at_once()
    {
        var anonymous = fixture.Silo.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/ingest/readings", Reading("RF-00006", 1))).StatusCode);
        anonymous.DefaultRequestHeaders.Add("X-Api-Key", "twk_not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/ingest/readings", Reading("RF-00006", 1))).StatusCode);

        var admin = fixture.Clients[Contracts.Security.TwinRole.Admin];
        var created = await (await admin.PostAsJsonAsync("/api/admin/keys", new { name = "雨量站网关", devices = new[] { "RF-*" } })).Content.ReadFromJsonAsync<AdminApi.CreatedKey>(DemoSiloFixture.Json);
        var gateway = fixture.Silo.CreateClient();
        gateway.DefaultRequestHeaders.Add("X-Api-Key", created!.Secret);
        Assert.Equal(HttpStatusCode.OK, (await gateway.PostAsync("/api/ingest/readings", Reading("RF-00006", 1, minutesAgo: 3))).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/admin/keys/{created.Key.Id}")).StatusCode);

        var afterRevoke = await gateway.PostAsync("/api/ingest/readings", Reading("RF-00006", 2, minutesAgo: 2));
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
        Assert.Contains("revoked", await afterRevoke.Content.ReadAsStringAsync());
        Assert.Contains(await fixture.AuditAsync(action: "key."), line => line.Record.Action == "key.revoke" && line.Record.Target == created.Key.Id && line.Record.Outcome == "ok");
    }

    [Fact]
    public async Task A_key_is_stored_only_as_its_hash()
    {
        var admin = fixture.Clients[Contracts.Security.TwinRole.Admin];
        var created = await (await admin.PostAsJsonAsync("/api/admin/keys", new { name = "hash check", devices = new[] { "WL-00009" } })).Content.ReadFromJsonAsync<AdminApi.CreatedKey>(DemoSiloFixture.Json);
        await fixture.Silo.WhenWriteBehindSavedAsync(TimeSpan.FromSeconds(30));

        var database = await File.ReadAllBytesAsync(Path.Combine(fixture.DataFolder, "cityops-twin.db"));
        var wal = Path.Combine(fixture.DataFolder, "cityops-twin.db-wal");
        var everything = Encoding.Latin1.GetString(database) + (File.Exists(wal) ? Encoding.Latin1.GetString(await ReadSharedAsync(wal)) : "");
        Assert.DoesNotContain(created!.Secret, everything);
        Assert.Contains(Silo.Security.Secrets.HashKey(created.Secret), everything);
        Assert.DoesNotContain(created.Secret, await admin.GetStringAsync("/api/admin/keys"));
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_Retry_After_and_another_key_is_not_slowed()
    {
        var busy = await fixture.Silo.KeyClientAsync(["EV-*"]);
        var quiet = await fixture.Silo.KeyClientAsync(["EV-*"]);
        var body = """{"events":[]}""";

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < SecuritySiloFixture.KeyRate * 4; i++)
        {
            answers.Add(await busy.PostAsync("/api/ingest/events", new StringContent(body, Encoding.UTF8, "application/json")));
        }

        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, a => Assert.True(a.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 without Retry-After"));
        Assert.Contains("over its rate", await limited[0].Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await quiet.PostAsync("/api/ingest/events", new StringContent(body, Encoding.UTF8, "application/json"))).StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"gateway","devices":["WL-*-north"]}""", "is not acceptable")]
    [InlineData("""{"name":"gateway","devices":[]}""", "needs devices")]
    [InlineData("""{"name":"","devices":["*"]}""", "needs a name")]
    public async Task A_key_request_without_a_name_or_devices_or_with_a_bad_pattern_is_refused_saying_what_was_wrong(string body, string problem)
    {
        var response = await fixture.Clients[Contracts.Security.TwinRole.Admin].PostAsync("/api/admin/keys", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Open311_requests_need_a_key_allowed_to_open_them_and_say_so_in_GeoReports_error_format()
    {
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["service_code"] = "0302", ["lat"] = "31.2050", ["long"] = "121.6050", ["description"] = "路面破损" });
        var devicesOnly = await fixture.Silo.NewKeyAsync(["WL-*"]);

        var none = await fixture.Silo.CreateClient().PostAsync("/open311/v2/requests.json", form);
        var notAllowed = await fixture.Silo.CreateClient().PostAsync("/open311/v2/requests.json",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["api_key"] = devicesOnly, ["service_code"] = "0302", ["lat"] = "31.2050", ["long"] = "121.6050" }));
        var allowed = await fixture.Silo.CreateClient().PostAsync("/open311/v2/requests.json",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["api_key"] = await fixture.Silo.NewKeyAsync([], open311: true), ["service_code"] = "0302", ["lat"] = "31.2050", ["long"] = "121.6050" }));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("api_key is missing", await none.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, notAllowed.StatusCode);
        Assert.Contains("may not open service requests", await notAllowed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }
}
