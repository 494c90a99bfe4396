using CityOps.Twin.Contracts.Security;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

/// <summary>平急切换 over the whole demo city: every sensor and every case category, not a sample.</summary>
public sealed class ModeSwitchoverTests
{
    private static object FloodIII(params string[] districts) =>
        new { to = "Emergency", kind = "Flood", level = "III", districts, by = "指挥长", reason = "暴雨红色预警" };

    private static async Task<IReadOnlyList<(SensorFile File, SensorThresholds Thresholds)>> ThresholdsOfEverySensorAsync(SiloFactory silo)
    {
        var client = silo.Services.GetRequiredService<IClusterClient>();
        var city = silo.Services.GetRequiredService<ICityDirectory>();
        return await Task.WhenAll(city.Sensors.Values.Select(async s => (s, (await client.GetGrain<ISensorGrain>(s.SensorId).GetSnapshot())!.Thresholds)));
    }

    private static async Task<IReadOnlyList<(CaseCategory Category, CaseRecord Record)>> OneCaseOfEveryCategoryAsync(SiloFactory silo)
    {
        var intake = silo.Services.GetRequiredService<ICaseIntake>();
        var where = silo.Services.GetRequiredService<ICityDirectory>().Sensors["WL-00100"].Position;
        return await Task.WhenAll(intake.Categories.Select(async c => (c, await intake.ReportAsync(new CaseReport($"{c.Name} 测试", "switchover", c.Code, CaseSource.Patrol, where, "巡查员")))));
    }

    [Fact]
    public async Task A_switch_is_in_force_at_every_sensor_when_it_answers_and_switching_back_restores_every_threshold_and_deadline()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        var http = await silo.SignedInAsAsync("指挥长");
        await silo.WhenCityFiledAsync();
        var rules = silo.Services.GetRequiredService<SensorRulebook>();

        // The switch answers once it is in force everywhere (how fast is measured by the switchover benchmark).
        (await http.PostAsJsonAsync("/api/mode/switch", FloodIII())).EnsureSuccessStatusCode();

        var during = await ThresholdsOfEverySensorAsync(silo);
        Assert.Equal(2_400, during.Count);
        Assert.All(during, s => Assert.Equal(rules.For(s.File.Kind, OperatingMode.Emergency), s.Thresholds));
        var emergencyCases = await OneCaseOfEveryCategoryAsync(silo);
        Assert.All(emergencyCases, c => Assert.Equal(c.Record.ReportedAt.AddMinutes(c.Category.Emergency.Register), c.Record.StepDueAt));

        // Who switches is the signed-in commander, whatever the request's "by" says.
        var dutyChief = await silo.SignedInAsAsync("值班长", TwinRole.Commander);
        (await dutyChief.PostAsJsonAsync("/api/mode/switch", new { to = "Normal", districts = Array.Empty<string>(), by = "路人甲", reason = "预警解除" })).EnsureSuccessStatusCode();

        Assert.All(await ThresholdsOfEverySensorAsync(silo), s => Assert.Equal(rules.For(s.File.Kind, OperatingMode.Normal), s.Thresholds));
        Assert.All(await OneCaseOfEveryCategoryAsync(silo), c => Assert.Equal(c.Record.ReportedAt.AddMinutes(c.Category.Normal.Register), c.Record.StepDueAt));
        // Cases opened in the emergency keep their history and their deadlines.
        var client = silo.Services.GetRequiredService<IClusterClient>();
        foreach (var (_, record) in emergencyCases)
        {
            var now = (await client.GetGrain<ICaseGrain>(record.CaseId).Get())!;
            Assert.Equal(record.StepDueAt, now.StepDueAt);
            Assert.Equal(record.Timeline, now.Timeline);
        }

        var history = await http.GetFromJsonAsync<List<ModeChange>>("/api/mode/history", DemoSiloFixture.Json);
        Assert.Equal([("指挥长", OperatingMode.Emergency), ("值班长", OperatingMode.Normal)], history!.Select(h => (h.To.ChangedBy, h.To.Operating)));
    }

    [Fact]
    public async Task An_emergency_for_one_district_changes_the_rules_of_exactly_its_sensors()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        var http = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();
        var city = silo.Services.GetRequiredService<ICityDirectory>();
        var rules = silo.Services.GetRequiredService<SensorRulebook>();
        var district = city.Areas.Values.First(a => a.Level == AreaLevel.District).Code;
        string DistrictOf(string grid) => city.Areas[city.Areas[grid].ParentCode!].ParentCode!;

        (await http.PostAsJsonAsync("/api/mode/switch", FloodIII(district))).EnsureSuccessStatusCode();

        var sensors = await ThresholdsOfEverySensorAsync(silo);
        Assert.Contains(sensors, s => DistrictOf(s.File.GridCode) == district);
        Assert.Contains(sensors, s => DistrictOf(s.File.GridCode) != district);
        Assert.All(sensors, s => Assert.Equal(
            rules.For(s.File.Kind, DistrictOf(s.File.GridCode) == district ? OperatingMode.Emergency : OperatingMode.Normal), s.Thresholds));
    }

    [Theory]
    [InlineData("""{"to":"Emergency","kind":"Flood","level":"III","districts":["999999"],"by":"指挥长","reason":"暴雨"}""", "'999999' is not a district of the city")]
    [InlineData("""{"to":"Emergency","kind":"Flood","districts":[],"by":"指挥长","reason":"暴雨"}""", "response level from IV to I")]
    [InlineData("""{"to":"Emergency","kind":"Flood","level":"III","districts":[],"by":"指挥长","reason":""}""", "needs its reason")]
    [InlineData("""{"to":"Normal","districts":[],"by":"指挥长","reason":"解除"}""", "already in that mode")]
    public async Task A_refused_switch_answers_400_saying_why_and_leaves_the_city_as_it_was(string body, string message)
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        var http = await silo.CreateTwinClientAsync();

        var response = await http.PostAsync("/api/mode/switch", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        var mode = await http.GetFromJsonAsync<CityMode>("/api/mode", DemoSiloFixture.Json);
        Assert.False(mode!.IsEmergency);
    }
}
