using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.EndToEnd.Tests.Support;
using CityOps.Twin.Tests.Shared;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

/// <summary>The history plots on the device page and the wall, over what the real silo stored.</summary>
[Collection("live twin")]
public sealed class HistoryPlotTests(LiveTwin twin)
{
    /// <summary>How long the history writer may take to commit what a test made (its lag is milliseconds; the machine is shared).</summary>
    private static readonly TimeSpan Stored = TimeSpan.FromSeconds(30);

    private static string Query(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));

    /// <summary>Asks the history API until the answer satisfies the condition, or fails saying what it last saw.</summary>
    private Task<JsonElement> StoredAsync(string path, Func<JsonElement, bool> condition) =>
        Eventually.ValueAsync(() => twin.GetAsync<JsonElement>(path), condition, Stored,
            answer => $"{path} holds what the test made (it answered {answer})", TimeSpan.FromMilliseconds(200));

    private async Task<ModeChange> SwitchAsync(object request) =>
        (await (await twin.PostAsync("/api/mode/switch", request)).Content.ReadFromJsonAsync<ModeChange>(LiveTwin.Json))!;

    private static async Task<IReadOnlyList<DateTimeOffset>> MarkersAsync(ILocator chart) =>
        [.. (await chart.Locator("[data-testid=mode-marker]").EvaluateAllAsync<string[]>("ms => ms.map(m => m.getAttribute('data-at'))"))
            .Select(at => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture))];

    [Fact]
    public async Task The_device_page_plots_7_days_of_a_sensors_readings_with_the_mode_switch_and_refuses_a_span_that_ends_before_it_starts()
    {
        // A sensor no other test of the collection reads into (the map's slider test alarms WL-00640 and WL-00733):
        // readings a day old would be refused as late by a sensor that already has a newer one.
        const string SensorId = "WL-00821";
        var sensor = await twin.GetAsync<SensorSnapshot>($"/api/devices/{SensorId}");
        // Five readings over the last day, all below blue so no alarm or case changes what other tests see.
        var start = DateTimeOffset.UtcNow.AddHours(-20);
        var values = new[] { 0.1, 0.3, 0.5, 0.2, 0.4 }.Select(share => Math.Round(sensor.Thresholds.Blue * share, 2)).ToArray();
        var ingested = await (await twin.PostAsync("/api/ingest/readings", new
        {
            readings = values.Select((value, i) => new { sensorId = SensorId, measuredAt = start.AddHours(4 * i).ToString("O", CultureInfo.InvariantCulture), value }),
        })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(ingested.GetProperty("accepted").GetInt32() == 5, $"the sensor took all five readings: {ingested}");
        ModeChange toEmergency;
        try
        {
            toEmergency = await SwitchAsync(new { to = "Emergency", kind = "Flood", level = "III", districts = Array.Empty<string>(), reason = "历史曲线测试" });
        }
        finally
        {
            await SwitchAsync(new { to = "Normal", districts = Array.Empty<string>(), reason = "历史曲线测试结束" });
        }
        var from = DateTimeOffset.UtcNow.AddDays(-7);
        await StoredAsync($"/api/devices/{SensorId}/history?from={Query(from)}&to={Query(DateTimeOffset.UtcNow)}", answer => answer.GetProperty("readings").GetArrayLength() == 5);
        await StoredAsync($"/api/history/events?kind=mode&from={Query(toEmergency.At.AddSeconds(-1))}",
            answer => answer.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("at").GetDateTimeOffset() == toEmergency.At));

        var page = await twin.OpenAsync($"/devices/{SensorId}");
        await page.GetByTestId("range-7d").ClickAsync();
        var chart = page.GetByTestId("sensor-history").GetByTestId("history-chart");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-step", "raw");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-points", "5");
        await Assertions.Expect(chart.Locator("circle.dot")).ToHaveCountAsync(5);
        // The switch to emergency and the one back, with the thresholds of both modes drawn.
        Assert.Contains(toEmergency.At, await MarkersAsync(chart));
        await Assertions.Expect(chart.Locator($"[data-testid=mode-marker][data-at='{Iso(toEmergency.At)}'] text")).ToHaveTextAsync("应急 防汛 III级");
        var from7d = DateTimeOffset.Parse((await chart.GetAttributeAsync("data-from"))!, CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - from7d, TimeSpan.FromDays(7), TimeSpan.FromDays(7).Add(TimeSpan.FromMinutes(5)));
        Assert.Contains(HistoryNumber(sensor.Thresholds.Blue), await chart.Locator("[data-testid=chart-level]").EvaluateAllAsync<string[]>("ls => ls.map(l => l.getAttribute('data-value'))"));
        await page.GetByTestId("sensor-history").ScrollIntoViewIfNeededAsync();
        await LiveTwin.ScreenshotAsync(page, "history-device-7d-1920");

        await page.GetByTestId("range-from").FillAsync("2026-12-01T10:00");
        await page.GetByTestId("range-to").FillAsync("2026-12-01T09:00");
        await page.GetByTestId("range-apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("range-problem")).ToHaveTextAsync("开始时间须早于结束时间: 开始 2026-12-01 10:00, 结束 2026-12-01 09:00");
        // The plot still shows the last good range.
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-points", "5");

        // A span with nothing in it says so.
        await page.GetByTestId("range-from").FillAsync("2024-01-01T00:00");
        await page.GetByTestId("range-to").FillAsync("2024-01-02T00:00");
        await page.GetByTestId("range-apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("history-empty")).ToHaveTextAsync("此时段内没有读数。");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-points", "0");

        var laptop = await twin.OpenAsync($"/devices/{SensorId}", language: "en", width: 1280, height: 720);
        await laptop.GetByTestId("range-7d").ClickAsync();
        await Assertions.Expect(laptop.GetByTestId("history-chart")).ToHaveAttributeAsync("data-points", "5");
        await laptop.GetByTestId("sensor-history").ScrollIntoViewIfNeededAsync();
        await LiveTwin.ScreenshotAsync(laptop, "history-device-7d-1280-en");
    }

    [Fact]
    public async Task The_wall_trend_reads_7_days_of_the_citys_stored_samples_with_the_bad_line_and_the_switches()
    {
        ModeChange toEmergency;
        try
        {
            toEmergency = await SwitchAsync(new { to = "Emergency", kind = "Typhoon", level = "II", districts = Array.Empty<string>(), reason = "历史趋势测试" });
        }
        finally
        {
            await SwitchAsync(new { to = "Normal", districts = Array.Empty<string>(), reason = "历史趋势测试结束" });
        }
        // The sampler stores every area's signs once the city is filed, and every 5 minutes after.
        var from = DateTimeOffset.UtcNow.AddDays(-7);
        await StoredAsync($"/api/areas/city/history?index=composite&from={Query(from)}&to={Query(DateTimeOffset.UtcNow)}", answer => answer.GetProperty("samples").GetArrayLength() > 0);
        await StoredAsync($"/api/history/events?kind=mode&from={Query(toEmergency.At.AddSeconds(-1))}",
            answer => answer.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("at").GetDateTimeOffset() == toEmergency.At));

        var wall = await twin.OpenAsync("/signs");
        var chart = wall.GetByTestId("trend-plot");
        // The 12 hours first, from the city's own trend, with the switch its mode grain keeps.
        await Assertions.Expect(wall.GetByTestId("signs-history")).ToHaveAttributeAsync("data-range", "12h");
        Assert.Contains(toEmergency.At, await MarkersAsync(chart));

        await wall.GetByTestId("range-7d").ClickAsync();
        await Assertions.Expect(wall.GetByTestId("signs-history")).ToHaveAttributeAsync("data-range", "7d");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-step", "raw");
        await Assertions.Expect(chart.Locator("[data-testid=chart-series]")).ToHaveCountAsync(5);
        await Assertions.Expect(chart.Locator("[data-testid=chart-level][data-value='60']")).ToHaveCountAsync(1);
        Assert.Contains(toEmergency.At, await MarkersAsync(chart));
        await Assertions.Expect(chart.Locator($"[data-testid=mode-marker][data-at='{Iso(toEmergency.At)}'] text")).ToHaveTextAsync("应急 防台 II级");
        Assert.True(int.Parse((await chart.GetAttributeAsync("data-points"))!, CultureInfo.InvariantCulture) >= 5);
        await LiveTwin.ScreenshotAsync(wall, "history-wall-7d-1920");

        var big = await twin.OpenAsync("/signs", width: 3840, height: 2160);
        await big.GetByTestId("range-7d").ClickAsync();
        await Assertions.Expect(big.GetByTestId("signs-history")).ToHaveAttributeAsync("data-range", "7d");
        await LiveTwin.ScreenshotAsync(big, "history-wall-7d-3840");
        var laptop = await twin.OpenAsync("/signs", width: 1280, height: 720);
        await laptop.GetByTestId("range-24h").ClickAsync();
        await Assertions.Expect(laptop.GetByTestId("signs-history")).ToHaveAttributeAsync("data-range", "24h");
        await LiveTwin.ScreenshotAsync(laptop, "history-wall-24h-1280");
    }

    /// <summary>A time as the plot's data-at writes it (the store's UTC).</summary>
    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>A threshold as the plot's data-value writes it.</summary>
    private static string HistoryNumber(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
