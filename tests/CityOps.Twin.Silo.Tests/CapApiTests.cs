using System.Globalization;
using System.Net.Http.Json;
using System.Xml.Linq;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Silo.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

public sealed class CapApiTests
{
    private static readonly XNamespace Cap = "urn:oasis:names:tc:emergency:cap:1.2";

    private static async Task<XDocument> AlertAsync(HttpClient http, CapApi.CapEntry entry)
    {
        var response = await http.GetAsync(entry.Url);
        Assert.Equal("application/cap+xml", response.Content.Headers.ContentType?.MediaType);
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_alarm_episode_is_an_Alert_then_an_Update_then_a_Cancel_each_a_valid_CAP_12_alert_over_its_grid()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        var http = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();
        var sensor = (await silo.Services.GetRequiredService<IClusterClient>().GetGrain<ISensorGrain>("WL-00111").GetSnapshot())!;
        var start = DateTimeOffset.UtcNow.AddMinutes(-3);
        var alarms = 0;
        using var episode = silo.Changes.Expect(changes => (alarms += changes.Alarms.Count(a => a.SensorId == "WL-00111")) >= 3, "WL-00111's three alarm changes");
        foreach (var (minute, value) in new[] { (0, sensor.Thresholds.Yellow + 1), (1, sensor.Thresholds.Red + 1), (2, 0.0) })
        {
            (await http.PostAsJsonAsync("/api/ingest/readings", new { readings = new[] { new { sensorId = "WL-00111", measuredAt = start.AddMinutes(minute).ToString("O", CultureInfo.InvariantCulture), value } } })).EnsureSuccessStatusCode();
        }
        await episode.WaitAsync(TimeSpan.FromSeconds(30));

        var entries = (await http.GetFromJsonAsync<List<CapApi.CapEntry>>("/api/cap/alerts", DemoSiloFixture.Json))!.Where(e => e.Event.StartsWith("道路积水")).Reverse().ToList();
        Assert.Equal(["Alert", "Update", "Cancel"], entries.Select(e => e.MsgType));
        var alerts = await Task.WhenAll(entries.Select(e => AlertAsync(http, e)));
        foreach (var alert in alerts)
        {
            Assert.Empty(CapSpecification.Problems(alert));
            Assert.Equal("Actual", alert.Root!.Element(Cap + "status")!.Value);
        }
        var first = alerts[0].Root!;
        var reference = $"{first.Element(Cap + "sender")!.Value},{first.Element(Cap + "identifier")!.Value},{first.Element(Cap + "sent")!.Value}";
        Assert.Equal(reference, alerts[1].Root!.Element(Cap + "references")!.Value);
        Assert.Equal(reference, alerts[2].Root!.Element(Cap + "references")!.Value);
        Assert.Equal(["Moderate", "Extreme"], alerts[..2].Select(a => a.Descendants(Cap + "severity").Single().Value));

        // The area is the sensor's grid, its outline as "lat,lon" pairs.
        var grid = silo.Services.GetRequiredService<ICityDirectory>().Areas[sensor.File.GridCode];
        Assert.Equal(grid.Name, first.Descendants(Cap + "areaDesc").Single().Value);
        var polygon = first.Descendants(Cap + "polygon").Single().Value.Split(' ');
        Assert.Equal(FormattableString.Invariant($"{grid.Outline[0][0].Latitude:0.######},{grid.Outline[0][0].Longitude:0.######}"), polygon[0]);
    }

    [Fact]
    public async Task A_mode_switch_is_a_valid_CAP_12_alert_over_the_streets_it_covers_and_switching_back_cancels_it()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        var http = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();
        var city = silo.Services.GetRequiredService<ICityDirectory>();
        var district = city.Areas.Values.First(a => a.Level == Contracts.Signs.AreaLevel.District);

        var modes = 0;
        using var switches = silo.Changes.Expect(changes => (modes += changes.Modes.Count) >= 2, "both mode switches");
        (await http.PostAsJsonAsync("/api/mode/switch", new { to = "Emergency", kind = "Flood", level = "II", districts = new[] { district.Code }, by = "指挥长", reason = "暴雨" })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/api/mode/switch", new { to = "Normal", districts = Array.Empty<string>(), by = "指挥长", reason = "解除" })).EnsureSuccessStatusCode();
        await switches.WaitAsync(TimeSpan.FromSeconds(30));

        var entries = (await http.GetFromJsonAsync<List<CapApi.CapEntry>>("/api/cap/alerts", DemoSiloFixture.Json))!.Where(e => e.Event.StartsWith("防汛")).Reverse().ToList();
        Assert.Equal(["Alert", "Cancel"], entries.Select(e => e.MsgType));
        var alert = await AlertAsync(http, entries[0]);
        Assert.Empty(CapSpecification.Problems(alert));
        Assert.Equal("Severe", alert.Descendants(Cap + "severity").Single().Value);
        var streets = city.Areas.Values.Count(a => a.ParentCode == district.Code);
        Assert.Equal(streets, alert.Descendants(Cap + "polygon").Count());
        Assert.Equal(district.Name, alert.Descendants(Cap + "areaDesc").Single().Value);
        // The area's name is kept apart from the text (it was "...demo city启动" for the whole city).
        Assert.Equal($"{district.Name}：启动II级应急响应", alert.Descendants(Cap + "headline").Single().Value);
        Assert.Equal($"{district.Name}：终止应急响应，恢复平时状态", (await AlertAsync(http, entries[1])).Descendants(Cap + "headline").Single().Value);
    }

    [Theory]
    [InlineData("31.1,121.4 31.2,121.4 31.2,121.5", "at least 4")]
    [InlineData("31.1,121.4 31.2,121.4 31.2,121.5 31.1,121.5", "must be the same")]
    [InlineData("121.4,31.1 121.4,31.2 121.5,31.2 121.4,31.1", "not a WGS84 'lat,lon' pair")]
    public void The_specification_check_itself_catches_each_broken_polygon_rule(string polygon, string problem) =>
        Assert.Contains(CapSpecification.PolygonProblems(polygon), p => p.Contains(problem));
}
