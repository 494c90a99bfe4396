using System.Globalization;
using System.Text.Json;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.EndToEnd.Tests.Support;
using CityOps.Twin.Tests.Shared;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

/// <summary>
/// The map's time slider: moved back before an alarm the map shows the grids and sensors as they were (from the
/// history's samples, every 10 s in this twin), says so, holds while the live city changes, and returns to live.
/// </summary>
[Collection("live twin")]
public sealed class MapTimeSliderTests(LiveTwin twin)
{
    /// <summary>A grid at 100 on the index shown, as the map fills it (twin-map.js, indexColour).</summary>
    private const string CalmFill = "rgba(46,158,91,0.55)";

    /// <summary>The sampler's interval in this twin (LiveTwin) and a second for the read: a sample stamped this long before an alarm was read before it.</summary>
    private static readonly TimeSpan SampleAndRead = TimeSpan.FromSeconds(11);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private async Task<JsonElement> StateAsync(DateTimeOffset at) =>
        await twin.GetAsync<JsonElement>($"/api/history/state?index=flood&at={Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture))}");

    private static double? GridValue(JsonElement state, string grid) =>
        state.GetProperty("grids").EnumerateArray().Where(g => g.GetProperty("code").GetString() == grid).Select(g => (double?)g.GetProperty("value").GetDouble()).FirstOrDefault();

    private static Task UntilAsync(Func<Task<bool>> condition, string what) =>
        Eventually.TrueAsync(condition, Patience, what, TimeSpan.FromMilliseconds(100));

    private async Task RaiseAsync(SensorSnapshot sensor) =>
        await twin.PostAsync("/api/ingest/readings", new
        {
            readings = new[] { new { sensorId = sensor.File.SensorId, measuredAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), value = sensor.Thresholds.Red + 10 } },
        });

    [Fact]
    public async Task Moved_back_before_an_alarm_the_map_shows_the_grid_as_it_was_holds_while_the_city_changes_and_returns_to_live()
    {
        var sensor = await twin.GetAsync<SensorSnapshot>("/api/devices/WL-00640");
        var other = await twin.GetAsync<SensorSnapshot>("/api/devices/WL-00733");
        var grid = sensor.File.GridCode;
        Assert.NotEqual(grid, other.File.GridCode);
        var page = await twin.OpenAsync("/");
        var canvas = page.GetByTestId("city-map");
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-drawn", "true");
        await page.GetByTestId("map-index").SelectOptionAsync("Flood");
        async Task<string> FillAsync(string code) => await canvas.EvaluateAsync<string>("(canvas, code) => canvas.twinMap.colourOf(code)", code);
        Assert.Equal(CalmFill, await FillAsync(grid));

        // A moment the history holds the grid calm, sampled long enough before the alarm that its sample was read before it.
        var before = DateTimeOffset.FromUnixTimeSeconds(0);
        await UntilAsync(async () =>
        {
            before = DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow - SampleAndRead).ToUnixTimeSeconds());
            return GridValue(await StateAsync(before), grid) == 100;
        }, $"the history holds a sample of {grid} at 100 at least {SampleAndRead.TotalSeconds} s old");

        await RaiseAsync(sensor);
        var alarmItem = page.Locator($"[data-testid=alarm-list] [data-sensor-id={sensor.File.SensorId}]");
        await Assertions.Expect(alarmItem).ToBeVisibleAsync();
        var alarmFill = await FillAsync(grid);
        Assert.NotEqual(CalmFill, alarmFill);
        // A later sample holds the alarm: the past view must pick the sample of its moment, not the latest.
        await UntilAsync(async () => GridValue(await StateAsync(DateTimeOffset.UtcNow), grid) < 100, $"a sample of {grid} below 100 after the alarm");

        await page.GetByTestId("time-range").FillAsync(before.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        var banner = page.GetByTestId("past-banner");
        await Assertions.Expect(banner).ToBeVisibleAsync();
        await Assertions.Expect(banner).ToContainTextAsync($"历史回放 · {before.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-dd HH:mm:ss}");
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-view", "past");
        await Assertions.Expect(page.GetByTestId("past-mode")).ToBeVisibleAsync();
        Assert.Equal(CalmFill, await FillAsync(grid));
        await Assertions.Expect(alarmItem).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator($"[data-testid=worst-grids] li[data-grid='{grid}']")).ToHaveCountAsync(0);
        Assert.Empty(await page.EvaluateAsync<string[]>(LayoutTests.Problems));
        await LiveTwin.ScreenshotAsync(page, "map-past-1920");

        // The live city moves on underneath (the map keeps its live state), and the past view stays the moment's.
        await RaiseAsync(other);
        await UntilAsync(async () => await canvas.EvaluateAsync<int?>("(canvas, id) => canvas.twinMap.deviceStates.get(id)", other.File.SensorId) == 4,
            $"the open map heard {other.File.SensorId}'s alarm");
        Assert.Equal(CalmFill, await FillAsync(other.File.GridCode));
        await Assertions.Expect(page.Locator($"[data-testid=alarm-list] [data-sensor-id={other.File.SensorId}]")).ToHaveCountAsync(0);
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-view", "past");
        await Assertions.Expect(banner).ToBeVisibleAsync();

        foreach (var (width, height) in new[] { (1280, 720), (3840, 2160) })
        {
            await page.SetViewportSizeAsync(width, height);
            Assert.Empty(await page.EvaluateAsync<string[]>(LayoutTests.Problems));
            await LiveTwin.ScreenshotAsync(page, $"map-past-{width}");
        }
        await page.SetViewportSizeAsync(1920, 1080);

        await page.GetByTestId("back-to-live").ClickAsync();
        await Assertions.Expect(banner).ToHaveCountAsync(0);
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-view", "live");
        await Assertions.Expect(alarmItem).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"[data-testid=alarm-list] [data-sensor-id={other.File.SensorId}]")).ToBeVisibleAsync();
        Assert.Equal(alarmFill, await FillAsync(grid));
        Assert.NotEqual(CalmFill, await FillAsync(other.File.GridCode));
    }

    [Fact]
    public async Task The_step_buttons_go_back_five_minutes_in_city_time_and_forward_again_to_live()
    {
        var page = await twin.OpenAsync("/", language: "en");
        await Assertions.Expect(page.GetByTestId("city-map")).ToHaveAttributeAsync("data-drawn", "true");
        await Assertions.Expect(page.GetByTestId("time-label")).ToHaveTextAsync("Live");
        await Assertions.Expect(page.GetByTestId("back-to-live")).ToBeDisabledAsync();

        var clicked = DateTimeOffset.UtcNow;
        await page.GetByTestId("time-back-minutes").ClickAsync();
        var banner = page.GetByTestId("past-banner");
        await Assertions.Expect(banner).ToContainTextAsync("Replay");
        var shown = DateTimeOffset.Parse((await banner.GetAttributeAsync("data-at"))!, CultureInfo.InvariantCulture);
        Assert.InRange(shown, clicked.AddMinutes(-5).AddSeconds(-2), DateTimeOffset.UtcNow.AddMinutes(-5));
        await Assertions.Expect(page.GetByTestId("time-label")).ToHaveTextAsync(shown.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByTestId("past-mode")).ToBeVisibleAsync();

        await page.GetByTestId("time-on-minutes").ClickAsync();
        await Assertions.Expect(banner).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("city-map")).ToHaveAttributeAsync("data-view", "live");
        await Assertions.Expect(page.GetByTestId("time-label")).ToHaveTextAsync("Live");
    }
}
