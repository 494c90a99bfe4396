using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Silo.History;
using CityOps.Twin.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests.History;

/// <summary>The history API's answers to bad input (a 400 naming the parameter and what is wrong), to long ranges, and its events.</summary>
public sealed class HistoryApiTests(HistorySiloFixture fixture) : IClassFixture<HistorySiloFixture>
{
    private static string Time(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture));

    public static TheoryData<string, string, string> BadRequests() => new()
    {
        { "/api/devices/WL-00001/history?from=2026-07-27T08:00:00", "from", "has no offset" },
        { "/api/devices/WL-00001/history?to=2026-07-27T08:00:00+08:00", "to", "%2B" },
        { "/api/devices/WL-00001/history?from=yesterday", "from", "not an ISO 8601" },
        { "/api/devices/WL-00001/history?from=2026-07-28T00:00:00Z&to=2026-07-27T00:00:00Z", "from", "is after to" },
        { "/api/devices/WL-99999/history", "id", "not a device of the city" },
        { "/api/devices/CAM-00001/history", "id", "it has events, not readings" },
        { "/api/devices/WL-00001/history?step=5m", "step", "not one of raw, 1m, 1h" },
        { "/api/devices/WL-00001/history?from=2026-01-01T00:00:00Z&to=2026-07-01T00:00:00Z&step=1h", "to", "more than 100 hours" },
        { "/api/areas/nowhere/history", "code", "not an area of the city" },
        { "/api/areas/city/history?index=happiness", "index", "not one of flood" },
        { "/api/areas/city/history?to=2026-07-27", "to", "has no offset" },
        { "/api/history/events?kind=alarm,weather", "kind", "kind 'weather' is not one of alarm, case, mode, camera, elevator" },
        { "/api/history/events?area=310999", "area", "not an area of the city" },
        { "/api/history/events?device=WL-99999", "device", "not a device of the city" },
        { "/api/history/events?from=2026-07-27T08:00:00Z&to=2026-07-27T07:00:00Z", "from", "is after to" },
        { "/api/history/state", "at", "at is required" },
        { "/api/history/state?at=2026-07-27T08:00:00", "at", "has no offset" },
        { "/api/history/state?at=2026-07-27T08:00:00+08:00", "at", "%2B" },
        { "/api/history/state?at=last%20week", "at", "not an ISO 8601" },
        { "/api/history/state?at=2999-01-01T00:00:00Z", "at", "is in the future" },
        { "/api/history/state?at=2026-07-27T08:00:00Z&index=happiness", "index", "index 'happiness' is not one of flood" },
        { "/api/history/state?at=2026-07-27T08:00:00Z&index=1", "index", "is not one of flood" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_refused_with_400_naming_the_parameter_and_what_is_wrong(string url, string parameter, string saying)
    {
        var response = await fixture.Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(parameter, problem.RootElement.GetProperty("parameter").GetString());
        Assert.Contains(saying, problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_history_needs_a_signed_in_user()
    {
        var anonymous = fixture.Silo.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/devices/WL-00001/history")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/areas/city/history")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/history/events")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/history/state?at=2026-07-27T08:00:00Z")).StatusCode);
    }

    [Fact]
    public async Task A_range_with_more_readings_than_an_answer_holds_is_answered_in_minute_buckets_with_a_note()
    {
        const string sensor = "RF-00007";
        var start = new DateTimeOffset(DateTime.UtcNow.AddHours(-2).Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var readings = Enumerable.Range(0, HistorySiloFixture.MaxRows + 50)
            .Select(i => new { sensorId = sensor, measuredAt = start.AddSeconds(20 * i).ToString("O", CultureInfo.InvariantCulture), value = (double)(i % 7) })
            .ToArray();
        (await fixture.Client.PostAsJsonAsync("/api/ingest/readings", new { readings })).EnsureSuccessStatusCode();
        Assert.True(await fixture.Silo.Services.GetRequiredService<HistoryWriter>().WhenWrittenAsync(TimeSpan.FromSeconds(30)), "the history writer caught up");

        var answer = (await fixture.Client.GetFromJsonAsync<DeviceHistory>(
            $"/api/devices/{sensor}/history?from={Time(start)}&to={Time(start.AddHours(1))}", DemoSiloFixture.Json))!;

        Assert.Equal("1m", answer.Step);
        Assert.Null(answer.Readings);
        Assert.Contains($"more than {HistorySiloFixture.MaxRows} readings", answer.Note);
        Assert.Equal(readings.Length, answer.Buckets!.Sum(b => b.Count));
        Assert.Equal(readings.Length / 3 + (readings.Length % 3 == 0 ? 0 : 1), answer.Buckets!.Count);
        Assert.All(answer.Buckets!, b => Assert.InRange(b.Count, 1, 3));
    }

    [Fact]
    public async Task Alarm_changes_case_steps_and_a_mode_switch_are_events_filtered_by_kind_and_area()
    {
        const string sensor = "WL-00042";
        var from = DateTimeOffset.UtcNow.AddMinutes(-30);
        var file = fixture.Silo.Services.GetRequiredService<City.CityRegistry>().Sensors[sensor];
        var district = file.GridCode.Split('-')[0];
        var otherDistrict = fixture.Silo.Services.GetRequiredService<City.CityRegistry>().Areas.Values
            .First(a => a.Level == Contracts.Signs.AreaLevel.District && a.Code != district).Code;
        (await fixture.Client.PostAsJsonAsync("/api/ingest/readings", new
        {
            readings = new[] { new { sensorId = sensor, measuredAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture), value = 60.0 } },
        })).EnsureSuccessStatusCode();
        (await fixture.Client.PostAsJsonAsync("/api/mode/switch", new { to = "Emergency", kind = "Flood", level = "III", districts = Array.Empty<string>(), by = "指挥长", reason = "history test" }))
            .EnsureSuccessStatusCode();
        (await fixture.Client.PostAsJsonAsync("/api/mode/switch", new { to = "Normal", districts = Array.Empty<string>(), by = "指挥长", reason = "history test over" })).EnsureSuccessStatusCode();
        Assert.True(await fixture.Silo.Services.GetRequiredService<HistoryWriter>().WhenWrittenAsync(TimeSpan.FromSeconds(30)), "the history writer caught up");

        async Task<IReadOnlyList<HistoryEventView>> EventsAsync(string query) =>
            (await fixture.Client.GetFromJsonAsync<HistoryEvents>($"/api/history/events?from={Time(from)}&{query}", DemoSiloFixture.Json))!.Events;

        var inDistrict = await EventsAsync($"area={district}");
        Assert.Contains(inDistrict, e => e.Kind == "alarm" && e.Subject == sensor && e.From == "None" && e.Value == 60);
        Assert.Contains(inDistrict, e => e.Kind == "case" && e.Subject == $"S-{sensor}-0001" && e.To == "Reported");
        Assert.Equal(2, inDistrict.Count(e => e.Kind == "mode"));
        var elsewhere = await EventsAsync($"area={otherDistrict}");
        Assert.DoesNotContain(elsewhere, e => e.Subject == sensor);
        Assert.Equal(2, elsewhere.Count(e => e.Kind == "mode"));
        var switches = await EventsAsync("kind=mode");
        Assert.Equal(["Normal", "Emergency Flood III"], switches.Take(2).Select(e => e.From));
        Assert.All(switches, e => Assert.Equal("mode", e.Kind));
        Assert.Equal(
            (await EventsAsync($"kind=alarm,case&device={sensor}")).Select(e => e.Kind).Distinct().Order(),
            ["alarm"]);
    }

    [Fact]
    public async Task Only_accepted_readings_are_kept_a_repeat_or_a_late_one_is_not()
    {
        const string sensor = "WL-00077";
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        async Task<IngestionResult> PostAsync(DateTimeOffset measuredAt, double value) =>
            (await (await fixture.Client.PostAsJsonAsync("/api/ingest/readings", new
            {
                readings = new[] { new { sensorId = sensor, measuredAt = measuredAt.ToString("O", CultureInfo.InvariantCulture), value } },
            })).Content.ReadFromJsonAsync<IngestionResult>(DemoSiloFixture.Json))!;

        Assert.Equal(1, (await PostAsync(at, 0.5)).Accepted);
        Assert.Equal(0, (await PostAsync(at, 0.7)).Accepted);
        Assert.Equal(0, (await PostAsync(at.AddMinutes(-1), 0.9)).Accepted);
        Assert.True(await fixture.Silo.Services.GetRequiredService<HistoryWriter>().WhenWrittenAsync(TimeSpan.FromSeconds(30)), "the history writer caught up");

        var answer = (await fixture.Client.GetFromJsonAsync<DeviceHistory>(
            $"/api/devices/{sensor}/history?from={Time(at.AddMinutes(-2))}&to={Time(at.AddMinutes(1))}", DemoSiloFixture.Json))!;
        Assert.Equal([(at.UtcTicks, 0.5)], answer.Readings!.Select(r => (r.At.UtcTicks, r.Value)));
    }

    [Fact]
    public async Task Camera_and_elevator_events_are_kept_with_what_changed()
    {
        var from = DateTimeOffset.UtcNow.AddMinutes(-10);
        var at = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
        var accepted = (await (await fixture.Client.PostAsJsonAsync("/api/ingest/events", new
        {
            events = new object[]
            {
                new { deviceId = "CAM-00009", type = "offline", at },
                new { deviceId = "CAM-00010", type = "detection", at, detection = "Waterlogging", confidence = 0.9 },
                new { deviceId = "ELV-00009", type = "elevatorStatus", at, status = "Fault" },
            },
        })).Content.ReadFromJsonAsync<IngestionResult>(DemoSiloFixture.Json))!;
        Assert.Equal(3, accepted.Accepted);
        Assert.True(await fixture.Silo.Services.GetRequiredService<HistoryWriter>().WhenWrittenAsync(TimeSpan.FromSeconds(30)), "the history writer caught up");

        var events = (await fixture.Client.GetFromJsonAsync<HistoryEvents>($"/api/history/events?from={Time(from)}&kind=camera,elevator", DemoSiloFixture.Json))!.Events;
        Assert.Contains(events, e => e.Kind == "camera" && e.Subject == "CAM-00009" && e.From == "online" && e.To == "offline");
        Assert.Contains(events, e => e.Kind == "camera" && e.Subject == "CAM-00010" && e.To == "Waterlogging" && e.Value == 0.9 && e.Note!.StartsWith("detection, case A-CAM-00010-"));
        Assert.Contains(events, e => e.Kind == "elevator" && e.Subject == "ELV-00009" && e.From == "Normal" && e.To == "Fault" && e.Actor == "device");
    }

    [Fact]
    public async Task An_areas_flood_index_is_answered_from_the_stored_samples()
    {
        var sampler = fixture.Silo.Services.GetRequiredService<VitalSignsSampler>();
        var interval = fixture.Silo.Services.GetRequiredService<HistoryOptions>().SignsInterval;
        AreaHistory history = null!;
        // The last sample is the index as it stands, once the tree has carried every earlier test's readings up.
        await Eventually.TrueAsync(async () =>
        {
            var now = (await fixture.Client.GetFromJsonAsync<CityApi.AreaView>("/api/areas/city", DemoSiloFixture.Json))!.VitalSigns.Flood;
            await sampler.SampleAsync(CancellationToken.None);
            history = (await fixture.Client.GetFromJsonAsync<AreaHistory>("/api/areas/city/history?index=flood", DemoSiloFixture.Json))!;
            return history.Samples.Count > 0 && history.Samples[^1].Value == now;
        }, TimeSpan.FromSeconds(20), "the city's last flood sample is its flood index now");

        Assert.Equal("sample", history.Step);
        Assert.Equal("flood", history.Index);
        Assert.Equal((int)interval.TotalSeconds, history.SampleIntervalSeconds);
        Assert.All(history.Samples, s => Assert.InRange(s.Value, 0, 100));
        Assert.All(history.Samples, s => Assert.Equal(0, s.At.UtcTicks % interval.Ticks));
    }

    [Fact]
    public async Task The_state_at_a_moment_has_a_sensor_in_alarm_only_from_its_alarm_on_and_its_grid_at_its_last_sample()
    {
        const string sensor = "WL-00123";
        var sampler = fixture.Silo.Services.GetRequiredService<VitalSignsSampler>();
        var grid = fixture.Silo.Services.GetRequiredService<City.CityRegistry>().Sensors[sensor].GridCode;
        var raised = DateTimeOffset.UtcNow.AddSeconds(-1);
        (await fixture.Client.PostAsJsonAsync("/api/ingest/readings", new
        {
            readings = new[] { new { sensorId = sensor, measuredAt = raised.ToString("O", CultureInfo.InvariantCulture), value = 80.0 } },
        })).EnsureSuccessStatusCode();
        Assert.True(await fixture.Silo.Services.GetRequiredService<HistoryWriter>().WhenWrittenAsync(TimeSpan.FromSeconds(30)), "the history writer caught up");

        async Task<CityStateThen> StateAsync(DateTimeOffset at, string index = "flood") =>
            (await fixture.Client.GetFromJsonAsync<CityStateThen>($"/api/history/state?at={Time(at)}&index={index}", DemoSiloFixture.Json))!;

        var before = await StateAsync(raised.AddTicks(-1));
        Assert.DoesNotContain(before.Alarms, a => a.SensorId == sensor);
        var after = await StateAsync(raised);
        var alarm = Assert.Single(after.Alarms, a => a.SensorId == sensor);
        Assert.Equal(("Red", grid, raised.UtcTicks), (alarm.Level, alarm.Grid, alarm.Since.UtcTicks));

        // Once sampled, the grid's flood index at the moment is the sample's, with its age; every grid is answered or counted.
        CityStateThen now = null!;
        await Eventually.TrueAsync(async () =>
        {
            await sampler.SampleAsync(CancellationToken.None);
            now = await StateAsync(DateTimeOffset.UtcNow);
            return now.Grids.Any(g => g.Code == grid && g.Value < 100);
        }, TimeSpan.FromSeconds(20), $"the flood index of {sensor}'s grid {grid} is sampled below 100");
        Assert.Equal("flood", now.Index);
        Assert.Equal(fixture.Silo.Services.GetRequiredService<CityPast>().GridCount, now.Grids.Count + now.GridsWithoutSample);
        Assert.All(now.Grids, g => Assert.Equal(g.SampleAgeSeconds, (long)(now.At - g.SampledAt).TotalSeconds));
        Assert.All(now.Grids, g => Assert.True(g.SampledAt <= now.At));
        Assert.Equal("composite", (await StateAsync(DateTimeOffset.UtcNow, "composite")).Index);
    }
}
