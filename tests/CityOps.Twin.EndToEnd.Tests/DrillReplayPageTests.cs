using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.EndToEnd.Tests.Support;
using CityOps.Twin.Tests.Shared;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

/// <summary>A drill from history, as the drill controller sees it: the page names the recorded span it replays.</summary>
[Collection("live twin")]
public sealed class DrillReplayPageTests(LiveTwin twin)
{
    private const string Gauge = "TD-00002";

    [Fact]
    public async Task A_drill_replaying_the_live_citys_last_half_hour_names_its_span_and_raises_the_recorded_alarm()
    {
        // Half an hour of a tide gauge rising through its blue level (4.5 m), recorded by the live twin.
        var from = DateTimeOffset.UtcNow.AddMinutes(-40);
        from = new DateTimeOffset(from.Ticks - from.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        double[] levels = [4.1, 4.3, 4.6, 4.8, 4.4, 4.2];
        var readings = levels.Select((value, i) => new { sensorId = Gauge, measuredAt = from.AddMinutes(5 * (i + 1)).ToString("O", CultureInfo.InvariantCulture), value }).ToArray();
        await twin.PostAsync("/api/ingest/readings", new { readings });
        var to = from.AddMinutes(30);
        string Time(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        await Eventually.ValueAsync(
            async () => (await twin.Http.GetFromJsonAsync<JsonElement>(
                $"/api/devices/{Gauge}/history?from={Uri.EscapeDataString(Time(from))}&to={Uri.EscapeDataString(Time(to))}")).GetProperty("readings").GetArrayLength(),
            recorded => recorded == levels.Length, TimeSpan.FromSeconds(30),
            recorded => $"the history holds the {levels.Length} readings sent (it holds {recorded})", TimeSpan.FromMilliseconds(200));

        Directory.CreateDirectory(Path.Combine(twin.DataFolder, "drills"));
        await File.WriteAllTextAsync(Path.Combine(twin.DataFolder, "drills", "tide-replay.yaml"), $"""
            name: 潮位回放 Tide replay
            start: 2026-07-01T08:00:00+08:00
            duration: 30m
            sensor-series:
              from-history:
                from: {Time(from)}
                to: {Time(to)}
                sensors: [{Gauge}]
            injects: []
            """);

        await twin.UserAsync("回放导调员", "DrillController");
        var page = await twin.OpenAsync("/drill", user: "回放导调员");
        await page.GetByTestId("drill-scenario").SelectOptionAsync("tide-replay.yaml");
        await page.GetByTestId("drill-start-speed").SelectOptionAsync("60");
        await page.GetByTestId("drill-commander-played").SelectOptionAsync("script");
        await page.GetByTestId("drill-operators-played").SelectOptionAsync("script");
        await page.GetByTestId("drill-start").ClickAsync();

        var status = page.GetByTestId("drill-status");
        await Assertions.Expect(status).ToHaveAttributeAsync("data-state", "running", new LocatorAssertionsToHaveAttributeOptions { Timeout = 60_000 });
        var city = TimeSpan.FromHours(8);
        await Assertions.Expect(page.GetByTestId("drill-replay")).ToContainTextAsync(
            $"传感器读数回放历史记录 {from.ToOffset(city):yyyy-MM-dd HH:mm} – {to.ToOffset(city):yyyy-MM-dd HH:mm} · 1 个传感器");
        await LiveTwin.ScreenshotAsync(page, "drill-replay-1920");
        await page.SetViewportSizeAsync(1280, 720);
        await LiveTwin.ScreenshotAsync(page, "drill-replay-1280");

        await page.GetByTestId("drill-speed-600").ClickAsync();
        await Assertions.Expect(status).ToHaveAttributeAsync("data-finished", "true", new LocatorAssertionsToHaveAttributeOptions { Timeout = 60_000 });
        // The gauge's recorded rise through blue came back in the drill, at its offset: 15 minutes in.
        var report = await twin.Http.GetStringAsync("/api/drills/report.html");
        Assert.Contains($"{Gauge} None → Blue (4.6)", report);
        var written = new DirectoryInfo(Path.Combine(twin.DataFolder, "drills", "reports")).GetDirectories().OrderBy(d => d.Name).Last();
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(written.FullName, "report.json")));
        var timeline = json.RootElement.GetProperty("timeline").EnumerateArray()
            .Select(e => (At: e.GetProperty("at").GetString(), What: e.GetProperty("what").GetString()!)).ToList();
        Assert.Contains(("00:15:00", $"{Gauge} None → Blue (4.6)"), timeline);
        Assert.Contains(timeline, e => e.At == "00:00:00" && e.What.StartsWith("回放历史 Replaying the city's recorded readings", StringComparison.Ordinal));
    }
}
