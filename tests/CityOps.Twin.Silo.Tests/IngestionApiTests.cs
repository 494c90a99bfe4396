using System.Net;
using System.Net.Http.Json;
using System.Text;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Silo.Api;

namespace CityOps.Twin.Silo.Tests;

[Collection(DemoSiloCollection.Name)]
public sealed class IngestionApiTests(DemoSiloFixture fixture)
{
    private static string Now(int secondsAgo = 0) => DateTimeOffset.UtcNow.AddSeconds(-secondsAgo).ToString("O");

    private async Task<IngestionResult> PostAsync(string path, string json)
    {
        var response = await fixture.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<IngestionResult>(DemoSiloFixture.Json))!;
    }

    [Fact]
    public async Task Every_kind_of_bad_reading_gets_its_own_error_and_the_valid_ones_of_the_batch_are_applied()
    {
        var at = Now(5);
        var result = await PostAsync("/api/ingest/readings", $$"""
            {"readings":[
              {"sensorId":"WL-00010","measuredAt":"{{at}}","value":12.5},
              {"sensorId":"NO-SUCH-SENSOR","measuredAt":"{{at}}","value":1},
              {"sensorId":"WL-00011","measuredAt":"{{at}}","value":"NaN"},
              {"sensorId":"WL-00012","measuredAt":"{{at}}","value":"Infinity"},
              {"sensorId":"WL-00013","measuredAt":"{{at}}","value":-4},
              {"sensorId":"TD-00001","measuredAt":"{{at}}","value":42},
              {"sensorId":"WL-00014","measuredAt":"{{DateTimeOffset.UtcNow.AddHours(3):O}}","value":1},
              {"sensorId":"WL-00015","measuredAt":"{{DateTimeOffset.UtcNow.AddDays(-3):O}}","value":1},
              {"sensorId":"WL-00010","measuredAt":"{{at}}","value":13},
              {"sensorId":"WL-00016","measuredAt":"2026-07-27 08:00:00","value":1},
              {"sensorId":"WL-00017","value":1},
              {"measuredAt":"{{at}}","value":1},
              {"sensorId":"WL-00018","measuredAt":"{{at}}","value":true},
              "WL-00019",
              {"sensorId":"GS-00001","measuredAt":"{{at}}","value":3}
            ]}
            """);

        Assert.Equal(2, result.Accepted);
        Assert.Equal(
        [
            (1, "unknown sensor 'NO-SUCH-SENSOR'"),
            (2, "value is NaN: a reading must be a finite number"),
            (3, "value is Infinity: a reading must be a finite number"),
            (4, "-4 cm is outside the physical range 0..300 cm of a Waterlogging sensor"),
            (5, "42 m is outside the physical range -1..8 m of a Tide sensor"),
            (6, "is in the future"),
            (7, "is older than the 24 h window"),
            (8, "duplicate of item 0 (same sensor and time)"),
            (9, "is not an ISO 8601 time with an offset"),
            (10, "measuredAt is missing"),
            (11, "sensorId is missing"),
            (12, "value must be a finite number; got true"),
            (13, "an item must be an object {sensorId, measuredAt, value}"),
        ], result.Rejected.Select(r => (r.Index, Reason: Shorten(r.Reason, r.Index))));

        var applied = await fixture.GetAsync<SensorSnapshot>("/api/devices/WL-00010");
        Assert.Equal(12.5, applied.Value);
        Assert.Equal(AlarmLevel.Blue, applied.Level);
        Assert.Equal(3, (await fixture.GetAsync<SensorSnapshot>("/api/devices/GS-00001")).Value);
        Assert.Null((await fixture.GetAsync<SensorSnapshot>("/api/devices/WL-00013")).Value);
    }

    // Times in messages are the batch's own; the fixed part of the sentence is what the test pins.
    private static string Shorten(string reason, int index) => index is 6 or 7 or 9 ? Fragment(reason) : reason;

    private static string Fragment(string reason) =>
        new[] { "is in the future", "is older than the 24 h window", "is not an ISO 8601 time with an offset" }.First(reason.Contains);

    [Fact]
    public async Task A_reading_not_newer_than_the_sensors_latest_is_refused_as_a_repeat()
    {
        var at = Now(60);
        await PostAsync("/api/ingest/readings", $$"""{"readings":[{"sensorId":"RV-00020","measuredAt":"{{at}}","value":2.1}]}""");

        var again = await PostAsync("/api/ingest/readings", $$"""{"readings":[{"sensorId":"RV-00020","measuredAt":"{{at}}","value":2.2},{"sensorId":"RV-00020","measuredAt":"{{Now(30)}}","value":2.3}]}""");

        Assert.Equal(1, again.Accepted);
        Assert.Equal([(0, "not newer than the sensor's latest reading (a repeat, or late)")], again.Rejected.Select(r => (r.Index, r.Reason)));
        Assert.Equal(2.3, (await fixture.GetAsync<SensorSnapshot>("/api/devices/RV-00020")).Value);
    }

    [Theory]
    [InlineData("not json at all", HttpStatusCode.BadRequest, "The body is not JSON")]
    [InlineData("""{"items":[]}""", HttpStatusCode.BadRequest, "with a \"readings\" array")]
    [InlineData("""[{"sensorId":"WL-00001"}]""", HttpStatusCode.BadRequest, "with a \"readings\" array")]
    public async Task A_body_that_is_not_a_batch_is_refused_whole_with_what_was_expected(string body, HttpStatusCode status, string message)
    {
        var response = await fixture.Client.PostAsync("/api/ingest/readings", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, await DetailOf(response));
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_refused_as_too_large()
    {
        var items = string.Join(',', Enumerable.Repeat("""{"sensorId":"WL-00001","measuredAt":"2026-01-01T00:00:00Z","value":1}""", 10_001));

        var response = await fixture.Client.PostAsync("/api/ingest/readings", new StringContent($$"""{"readings":[{{items}}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 10000", await DetailOf(response));
    }

    private static async Task<string> DetailOf(HttpResponseMessage response)
    {
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task Device_events_change_cameras_and_elevators_and_bad_ones_are_refused_each_with_its_reason()
    {
        var at = Now(2);
        var result = await PostAsync("/api/ingest/events", $$"""
            {"events":[
              {"deviceId":"CAM-00030","type":"offline","at":"{{at}}"},
              {"deviceId":"CAM-00031","type":"detection","at":"{{at}}","detection":"FloatingDebris","confidence":0.93},
              {"deviceId":"ELV-00030","type":"elevatorStatus","at":"{{at}}","status":"Trapped","reportedBy":"96333"},
              {"deviceId":"CAM-99999","type":"offline","at":"{{at}}"},
              {"deviceId":"ELV-00031","type":"detection","at":"{{at}}","detection":"MuckTruck","confidence":0.9},
              {"deviceId":"CAM-00032","type":"detection","at":"{{at}}","detection":"Unicorn","confidence":0.9},
              {"deviceId":"CAM-00033","type":"detection","at":"{{at}}","detection":"MuckTruck","confidence":2},
              {"deviceId":"ELV-00032","type":"elevatorStatus","at":"{{at}}","status":"Exploded"}
            ]}
            """);

        Assert.Equal(3, result.Accepted);
        Assert.Equal([3, 4, 5, 6, 7], result.Rejected.Select(r => r.Index));
        Assert.Contains("unknown device 'CAM-99999'", result.Rejected[0].Reason);
        Assert.Contains("type 'detection' does not apply to a elevator", result.Rejected[1].Reason);
        Assert.Contains("detection 'Unicorn' is not one of", result.Rejected[2].Reason);
        Assert.Contains("confidence 2 is not between 0 and 1", result.Rejected[3].Reason);
        Assert.Contains("status 'Exploded' is not one of", result.Rejected[4].Reason);

        Assert.False((await fixture.GetAsync<CameraSnapshot>("/api/devices/CAM-00030")).Online);
        Assert.Equal(CaseSource.CameraAi, (await fixture.GetAsync<CaseRecord>("/api/cases/A-CAM-00031-0001")).Source);
        var elevator = await fixture.GetAsync<ElevatorSnapshot>("/api/devices/ELV-00030");
        Assert.Equal(ElevatorStatus.Trapped, elevator.Status);
        var trapped = await fixture.GetAsync<CaseRecord>($"/api/cases/{elevator.OpenCaseId}");
        Assert.Equal(("0701", CaseUrgency.Critical), (trapped.CategoryCode, trapped.Urgency));
    }
}
