using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Cases;

namespace CityOps.Twin.Silo.Tests;

[Collection(DemoSiloCollection.Name)]
public sealed class CaseApiTests(DemoSiloFixture fixture)
{
    private async Task<CaseRecord> ReportAsync()
    {
        var response = await fixture.Client.PostAsJsonAsync("/api/cases", new
        {
            title = "道路破损 龙东大道",
            description = "Pothole in the bus lane",
            categoryCode = "0302",
            source = "Patrol",
            longitude = 121.6050,
            latitude = 31.2050,
            reportedBy = "巡查员 陈静",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CaseRecord>(DemoSiloFixture.Json))!;
    }

    private Task<HttpResponseMessage> StepAsync(string id, string step, object body) => fixture.Client.PostAsJsonAsync($"/api/cases/{id}/{step}", body);

    [Fact]
    public async Task A_case_reported_at_a_point_lands_in_its_grid_and_goes_round_the_loop_through_the_api()
    {
        var reported = await ReportAsync();
        Assert.StartsWith("310115-", reported.GridCode);

        foreach (var (step, body) in new (string, object)[]
                 {
                     ("register", new { actor = "值班员" }), ("dispatch", new { actor = "值班员", team = "金桥养护队" }),
                     ("start-handling", new { actor = "金桥养护队" }), ("feedback", new { actor = "金桥养护队" }),
                     ("fail-check", new { actor = "核查员", reason = "未压实" }), ("start-handling", new { actor = "金桥养护队" }),
                     ("feedback", new { actor = "金桥养护队" }), ("pass-check", new { actor = "核查员" }), ("evaluate", new { actor = "值班长", score = 4 }),
                 })
        {
            var response = await StepAsync(reported.CaseId, step, body);
            Assert.True(response.IsSuccessStatusCode, $"{step}: {await response.Content.ReadAsStringAsync()}");
        }

        var done = await fixture.GetAsync<CaseRecord>($"/api/cases/{reported.CaseId}");
        Assert.Equal(CaseStatus.Evaluated, done.Status);
        Assert.Equal(1, done.ReworkCount);
        var inGrid = await fixture.GetAsync<List<CaseRecord>>($"/api/cases?grid={reported.GridCode}&status=Evaluated");
        Assert.Contains(inGrid, c => c.CaseId == reported.CaseId);
    }

    [Fact]
    public async Task An_illegal_step_is_refused_with_409_and_the_allowed_steps()
    {
        var reported = await ReportAsync();

        var response = await StepAsync(reported.CaseId, "pass-check", new { actor = "核查员" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Reported", problem.RootElement.GetProperty("status").GetString());
        Assert.Equal(["Register", "Cancel"], problem.RootElement.GetProperty("allowed").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(CaseStatus.Reported, (await fixture.GetAsync<CaseRecord>($"/api/cases/{reported.CaseId}")).Status);
    }

    [Fact]
    public async Task A_step_missing_its_reason_is_400_and_an_unknown_case_is_404()
    {
        var reported = await ReportAsync();

        var noReason = await StepAsync(reported.CaseId, "cancel", new { actor = "值班员" });
        var unknown = await StepAsync("C-does-not-exist", "register", new { actor = "值班员" });

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("Cancel needs a reason", JsonDocument.Parse(await noReason.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData(121.6050, 31.2050, "9999", "Category '9999' is not in the catalogue")]
    [InlineData(-71.0587, 42.3594, "0302", "is in no grid of the city")]
    [InlineData(null, 31.2050, "0302", "longitude and latitude (WGS84) are required")]
    public async Task A_case_report_with_bad_input_is_refused_with_the_reason(double? longitude, double? latitude, string category, string message)
    {
        var response = await fixture.Client.PostAsJsonAsync("/api/cases", new { title = "x", categoryCode = category, longitude, latitude, reportedBy = "值班员" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_open_cases_export_holds_an_open_case_at_its_point_and_no_finished_one()
    {
        var open = await ReportAsync();
        var cancelled = await ReportAsync();
        await StepAsync(cancelled.CaseId, "cancel", new { actor = "值班员", reason = "重复上报 duplicate" });

        using var document = JsonDocument.Parse(await fixture.Client.GetStringAsync("/api/geojson/cases"));
        var features = document.RootElement.GetProperty("features").EnumerateArray().ToList();

        var feature = Assert.Single(features, f => f.GetProperty("id").GetString() == open.CaseId);
        var coordinates = feature.GetProperty("geometry").GetProperty("coordinates");
        Assert.Equal((121.6050, 31.2050), (coordinates[0].GetDouble(), coordinates[1].GetDouble()));
        Assert.Equal("Reported", feature.GetProperty("properties").GetProperty("status").GetString());
        Assert.DoesNotContain(features, f => f.GetProperty("id").GetString() == cancelled.CaseId);
    }
}
