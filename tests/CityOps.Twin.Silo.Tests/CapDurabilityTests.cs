using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Xml.Linq;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Drills;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Silo.Storage;
using CityOps.Twin.Silo.Tests.Storage;
using CityOps.Twin.Silo.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

/// <summary>
/// CAP alerts come from the alert journal the grains write before they acknowledge: they are there as soon as the
/// reading is answered, the same on every silo over one database, and all there after a restart.
/// </summary>
public sealed class CapDurabilityTests
{
    private static readonly XNamespace Cap = "urn:oasis:names:tc:emergency:cap:1.2";

    private const string Sensor = "WL-00111";

    private static SiloFactory Silo(StorageKind kind, string data, string? connection) => kind == StorageKind.Sqlite
        ? new SiloFactory(("data", data))
        : new SiloFactory(("data", data), ("storage", "postgres"), ("connection", connection!));

    private static async Task<HttpClient> StartAsync(SiloFactory silo)
    {
        var http = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();
        return http;
    }

    private static async Task PostReadingAsync(HttpClient http, DateTimeOffset at, double value) =>
        (await http.PostAsJsonAsync("/api/ingest/readings", new { readings = new[] { new { sensorId = Sensor, measuredAt = at.ToString("O", CultureInfo.InvariantCulture), value } } }))
            .EnsureSuccessStatusCode();

    /// <summary>An Alert, an Update and a Cancel of one episode of <see cref="Sensor"/>, minutes apart, ending a minute ago.</summary>
    private static async Task RaiseEpisodeAsync(SiloFactory silo, HttpClient http, DateTimeOffset start)
    {
        var thresholds = (await silo.Services.GetRequiredService<IClusterClient>().GetGrain<ISensorGrain>(Sensor).GetSnapshot())!.Thresholds;
        await PostReadingAsync(http, start, thresholds.Yellow + 1);
        await PostReadingAsync(http, start.AddMinutes(1), thresholds.Red + 1);
        await PostReadingAsync(http, start.AddMinutes(2), 0);
    }

    private static async Task<List<CapApi.CapEntry>> AlertsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<List<CapApi.CapEntry>>("/api/cap/alerts?count=1000", DemoSiloFixture.Json))!;

    /// <summary>Every alert the silo lists, oldest first, as its XML text.</summary>
    private static async Task<List<(string Identifier, string Xml)>> EverythingAsync(HttpClient http)
    {
        var alerts = new List<(string, string)>();
        foreach (var entry in Enumerable.Reverse(await AlertsAsync(http)))
        {
            var response = await http.GetAsync(entry.Url);
            response.EnsureSuccessStatusCode();
            alerts.Add((entry.Identifier, await response.Content.ReadAsStringAsync()));
        }
        return alerts;
    }

    private static string Reference(XDocument alert) =>
        $"{alert.Root!.Element(Cap + "sender")!.Value},{alert.Root.Element(Cap + "identifier")!.Value},{alert.Root.Element(Cap + "sent")!.Value}";

    [Fact]
    public async Task A_reading_that_raises_an_alarm_has_its_CAP_alert_as_soon_as_the_reading_is_answered()
    {
        await using var silo = Silo(StorageKind.Sqlite, SiloFactory.NewDataFolder(), null);
        var http = await StartAsync(silo);
        var thresholds = (await silo.Services.GetRequiredService<IClusterClient>().GetGrain<ISensorGrain>(Sensor).GetSnapshot())!.Thresholds;
        var at = new DateTimeOffset(DateTime.UtcNow.AddMinutes(-1).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

        await PostReadingAsync(http, at, thresholds.Yellow + 1);

        // No waiting on the feed: the reading was acknowledged after its alarm was journaled.
        var identifier = $"cityops-alarm-{Sensor}-{at.ToOffset(TimeSpan.FromHours(8)):yyyyMMddHHmmss}000";
        var entry = Assert.Single(await AlertsAsync(http), e => e.Identifier == identifier);
        Assert.Equal("Alert", entry.MsgType);
        var response = await http.GetAsync(entry.Url);
        Assert.Equal("application/cap+xml", response.Content.Headers.ContentType?.MediaType);
        var alert = XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Empty(CapSpecification.Problems(alert));
        Assert.Equal(identifier, alert.Root!.Element(Cap + "identifier")!.Value);
        Assert.Equal("Moderate", alert.Descendants(Cap + "severity").Single().Value);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_restarted_silo_answers_every_alert_it_had_with_the_same_XML_and_the_episodes_references(StorageKind kind)
    {
        await using var database = await StorageTestDatabase.CreateAsync(kind);
        var data = SiloFactory.NewDataFolder();
        List<(string Identifier, string Xml)> before;
        await using (var silo = Silo(kind, data, database.ConnectionString))
        {
            var http = await StartAsync(silo);
            await RaiseEpisodeAsync(silo, http, DateTimeOffset.UtcNow.AddMinutes(-4));
            (await http.PostAsJsonAsync("/api/mode/switch", new { to = "Emergency", kind = "Flood", level = "III", districts = Array.Empty<string>(), by = "指挥长", reason = "暴雨" }))
                .EnsureSuccessStatusCode();
            before = await EverythingAsync(http);
        }
        Assert.Equal(4, before.Count);

        await using var again = Silo(kind, data, database.ConnectionString);
        var after = await EverythingAsync(await StartAsync(again));

        Assert.Equal(before, after);
        var episode = after.Where(a => a.Identifier.StartsWith($"cityops-alarm-{Sensor}-", StringComparison.Ordinal)).Select(a => XDocument.Parse(a.Xml)).ToList();
        Assert.Equal(["Alert", "Update", "Cancel"], episode.Select(a => a.Root!.Element(Cap + "msgType")!.Value));
        Assert.All(episode.Skip(1), update => Assert.Equal(Reference(episode[0]), update.Root!.Element(Cap + "references")!.Value));
    }

    [Fact]
    public async Task Two_silos_over_one_PostgreSQL_database_answer_the_same_identifiers_and_the_same_XML()
    {
        await using var database = await StorageTestDatabase.CreateAsync(StorageKind.PostgreSql);
        await using var first = Silo(StorageKind.PostgreSql, SiloFactory.NewDataFolder(), database.ConnectionString);
        var one = await StartAsync(first);
        await using var second = Silo(StorageKind.PostgreSql, SiloFactory.NewDataFolder(), database.ConnectionString);
        var two = await StartAsync(second);

        await RaiseEpisodeAsync(first, one, DateTimeOffset.UtcNow.AddMinutes(-4));

        var seenByFirst = await EverythingAsync(one);
        Assert.Equal(3, seenByFirst.Count);
        Assert.Equal(seenByFirst, await EverythingAsync(two));
    }

    [Fact]
    public async Task An_unknown_alert_is_a_404_problem_naming_it()
    {
        await using var silo = Silo(StorageKind.Sqlite, SiloFactory.NewDataFolder(), null);
        var http = await StartAsync(silo);

        var response = await http.GetAsync("/api/cap/alerts/cityops-alarm-WL-00111-20000101000000000.xml");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("cityops-alarm-WL-00111-20000101000000000", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_drills_alerts_are_Exercise_and_never_reach_the_live_silos_store()
    {
        await using var silo = Silo(StorageKind.Sqlite, SiloFactory.NewDataFolder(), null);
        var http = await StartAsync(silo);
        var registry = new CityRegistry(DemoCity.Build());
        var scenario = DrillScenarioReader.Load(Path.Combine(AppContext.BaseDirectory, "Drills", "rainstorm-late-switch.yaml"), registry);

        DrillReport report;
        await using (var run = await DrillRun.CreateAsync(registry, CaseCategoryCatalogue.Default, SensorRulebook.Default, new SwitchoverOptions(), scenario.Start))
        {
            report = await run.RunAsync(scenario, speed: 0);
        }

        var drillAlerts = report.CapAlerts.Select(XDocument.Parse).ToList();
        Assert.Contains(drillAlerts, a => a.Root!.Element(Cap + "identifier")!.Value.StartsWith("cityops-mode-", StringComparison.Ordinal));
        Assert.All(drillAlerts, a => Assert.Equal("Exercise", a.Root!.Element(Cap + "status")!.Value));
        Assert.Empty(await AlertsAsync(http));
        foreach (var identifier in drillAlerts.Select(a => a.Root!.Element(Cap + "identifier")!.Value))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/cap/alerts/{identifier}.xml")).StatusCode);
        }
    }
}
