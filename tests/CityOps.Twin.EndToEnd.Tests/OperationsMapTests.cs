using System.Diagnostics;
using System.Globalization;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CityOps.Twin.EndToEnd.Tests;

[Collection("live twin")]
public sealed class OperationsMapTests(LiveTwin twin, ITestOutputHelper output)
{
    [Fact]
    public async Task The_map_draws_every_grid_of_the_demo_city_and_each_device_layer()
    {
        var page = await twin.OpenAsync("/");
        var map = page.GetByTestId("city-map");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-drawn", "true");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-grids", "3465");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-coloured", "3465");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-sensors", "2400");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-cameras", "1200");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-elevators", "600");

        await page.Locator("[data-layer=cameras]").UncheckAsync();
        await Assertions.Expect(map).ToHaveAttributeAsync("data-cameras", "0");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-sensors", "2400");
        await page.Locator("[data-layer=grids]").UncheckAsync();
        await Assertions.Expect(map).ToHaveAttributeAsync("data-grids", "0");
    }

    [Fact]
    public async Task The_map_works_from_the_keyboard_and_Enter_inspects_its_centre()
    {
        var page = await twin.OpenAsync("/");
        var map = page.GetByTestId("city-map");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-drawn", "true");
        await map.FocusAsync();
        await page.Keyboard.PressAsync("+");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Enter");

        var panel = page.GetByTestId("incident-panel");
        await Assertions.Expect(panel.Locator("[data-testid=nearest-cameras] li[data-camera-id]")).ToHaveCountAsync(3);
        await page.Locator("[data-testid=incident-panel] button.close").ClickAsync();
        await Assertions.Expect(panel).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Clicking_a_point_lists_exactly_the_three_cameras_the_api_returns_for_it()
    {
        var page = await twin.OpenAsync("/");
        var map = page.GetByTestId("city-map");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-drawn", "true");

        // A point in the middle of the demo city's largest street, a little off any device.
        var sensor = await twin.GetAsync<SensorSnapshot>("/api/devices/WL-00200");
        var pixel = await map.EvaluateAsync<double[]>("(canvas, p) => canvas.twinMap.pixelOf(p[0], p[1])",
            new[] { sensor.File.Position.Longitude + 0.0031, sensor.File.Position.Latitude - 0.0017 });
        await map.ClickAsync(new LocatorClickOptions { Position = new Position { X = (float)pixel[0], Y = (float)pixel[1] } });

        var panel = page.GetByTestId("incident-panel");
        var cameras = panel.Locator("[data-testid=nearest-cameras] li[data-camera-id]");
        await Assertions.Expect(cameras).ToHaveCountAsync(3);
        var lon = await panel.GetAttributeAsync("data-lon");
        var lat = await panel.GetAttributeAsync("data-lat");
        var expected = await twin.GetAsync<List<NearbyCamera>>($"/api/cameras/nearest?lon={lon}&lat={lat}");

        Assert.Equal(expected.Select(c => c.CameraId), await cameras.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.cameraId)"));
        await Assertions.Expect(panel.GetByTestId("incident-grid")).ToHaveAttributeAsync("data-grid", new System.Text.RegularExpressions.Regex(".+"));
        await Assertions.Expect(panel.Locator("[data-testid=nearby-sensors] tr[data-sensor-id]")).ToHaveCountAsync(5);
        // The panel opens on the half of the map away from the point, and does not cover it.
        var frame = (await map.BoundingBoxAsync())!;
        await Assertions.Expect(panel).ToHaveAttributeAsync("data-side", pixel[0] > frame.Width / 2 ? "left" : "right");
        var box = (await panel.BoundingBoxAsync())!;
        Assert.False(box.X - frame.X <= pixel[0] && pixel[0] <= box.X - frame.X + box.Width, $"the incident panel covers the point clicked at x {pixel[0]:0}");
        // The panel's short labels (a level, a reading, a distance) keep whole at the desk's size.
        Assert.Empty(await page.EvaluateAsync<string[]>(LayoutTests.Problems));
        await LiveTwin.ScreenshotAsync(page, "map-incident");

        // One click opens a case at the point, in its grid.
        await panel.GetByTestId("open-case").ClickAsync();
        var opened = panel.GetByTestId("opened-case");
        await Assertions.Expect(opened).ToBeVisibleAsync();
        var record = await twin.GetAsync<CaseRecord>($"/api/cases/{await opened.GetAttributeAsync("data-case-id")}");
        Assert.Equal(CaseStatus.Reported, record.Status);
        Assert.Equal(await panel.GetByTestId("incident-grid").GetAttributeAsync("data-grid"), record.GridCode);
        Assert.Equal(double.Parse(lon!, CultureInfo.InvariantCulture), record.Position.Longitude, 9);
    }

    [Fact]
    public async Task A_reading_over_the_threshold_shows_as_an_alarm_on_the_open_map_and_a_new_case_on_the_desk_within_two_seconds()
    {
        const string SensorId = "WL-00321";
        var map = await twin.OpenAsync("/");
        await Assertions.Expect(map.GetByTestId("city-map")).ToHaveAttributeAsync("data-drawn", "true");
        var desk = await twin.OpenAsync("/cases");
        var before = await twin.GetAsync<SensorSnapshot>($"/api/devices/{SensorId}");
        Assert.Equal(AlarmLevel.None, before.Level);

        var posted = Stopwatch.StartNew();
        await twin.PostAsync("/api/ingest/readings", new
        {
            readings = new[] { new { sensorId = SensorId, measuredAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), value = before.Thresholds.Red + 5 } },
        });

        var alarmShown = await Appearance.WithinAsync(map, $"[data-testid=alarm-list] [data-sensor-id={SensorId}]", posted, TimeSpan.FromSeconds(2), "the alarm on the map");
        await Assertions.Expect(map.Locator($"[data-testid=alarm-list] [data-sensor-id={SensorId}]")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("level-red"));
        var caseId = (await twin.GetAsync<SensorSnapshot>($"/api/devices/{SensorId}")).OpenCaseId;
        Assert.NotNull(caseId);
        var caseShown = await Appearance.WithinAsync(desk, $"[data-testid=case-queue] tr[data-case-id='{caseId}']", posted, TimeSpan.FromSeconds(2), "the new case on the desk");
        output.WriteLine($"the alarm showed on the map {alarmShown.TotalMilliseconds:N0} ms after the reading was posted, the case on the desk {caseShown.TotalMilliseconds:N0} ms after");
        await LiveTwin.ScreenshotAsync(map, "map-alarm");
    }

    [Fact]
    public async Task The_worst_grid_is_outlined_and_listed_first_and_the_map_draws_its_context_with_the_attribution()
    {
        const string SensorId = "WL-00455";
        var map = await twin.OpenAsync("/");
        var canvas = map.GetByTestId("city-map");
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-drawn", "true");
        // Where the commander is: metro lines and stations, elevated roads, and OpenStreetMap's attribution, as the ODbL asks.
        Assert.True(int.Parse((await canvas.GetAttributeAsync("data-metro"))!) > 0);
        Assert.True(int.Parse((await canvas.GetAttributeAsync("data-stations"))!) > 0);
        await Assertions.Expect(canvas).ToHaveAttributeAsync("data-attribution", "© OpenStreetMap contributors (ODbL)");
        await Assertions.Expect(map.GetByTestId("map-symbols")).ToContainTextAsync("地铁");

        // One flooded point: on the flood index its grid falls to the bottom, outlined on the map and first in the list.
        var sensor = await twin.GetAsync<SensorSnapshot>($"/api/devices/{SensorId}");
        await twin.PostAsync("/api/ingest/readings", new
        {
            readings = new[] { new { sensorId = SensorId, measuredAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), value = sensor.Thresholds.Red + 10 } },
        });
        await map.GetByTestId("map-index").SelectOptionAsync("Flood");
        var first = map.Locator("[data-testid=worst-grids] li").First;
        await Assertions.Expect(first).ToHaveAttributeAsync("data-grid", sensor.File.GridCode);
        await Assertions.Expect(first).ToHaveClassAsync("bad");
        await Assertions.Expect(canvas).Not.ToHaveAttributeAsync("data-worst", "0");
        await LiveTwin.ScreenshotAsync(map, "map-worst");
    }


    [Fact]
    public async Task People_trapped_in_a_lift_come_first_in_the_alarm_list_of_the_open_map()
    {
        var map = await twin.OpenAsync("/");
        await Assertions.Expect(map.GetByTestId("city-map")).ToHaveAttributeAsync("data-drawn", "true");

        await twin.PostAsync("/api/ingest/events", new
        {
            events = new[] { new { deviceId = "ELV-00042", type = "elevatorStatus", at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), status = "Trapped" } },
        });

        var first = map.Locator("[data-testid=alarm-list] li.alarm").First;
        await Assertions.Expect(first).ToHaveAttributeAsync("data-device-id", "ELV-00042");
        await Assertions.Expect(first).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("trapped"));
        await Assertions.Expect(first).ToContainTextAsync("困人");
    }

    [Fact]
    public async Task The_twins_proposal_shows_on_every_page_and_opens_the_switch_pre_filled_for_a_commander()
    {
        // The fixture proposes level IV as soon as the city's flood index leaves 100: one flooded road does it.
        var sensor = await twin.GetAsync<SensorSnapshot>("/api/devices/WL-00555");
        await twin.PostAsync("/api/ingest/readings", new
        {
            readings = new[] { new { sensorId = "WL-00555", measuredAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), value = sensor.Thresholds.Yellow + 1 } },
        });

        var page = await twin.OpenAsync("/cases");
        var banner = page.GetByTestId("mode-proposal");
        await Assertions.Expect(banner).ToHaveAttributeAsync("data-level", "IV");
        await banner.Locator("button").ClickAsync();
        var dialog = page.GetByTestId("mode-switch-dialog");
        await Assertions.Expect(dialog.GetByTestId("mode-kind")).ToHaveValueAsync("Flood");
        await Assertions.Expect(dialog.GetByTestId("mode-level")).ToHaveValueAsync("IV");
        Assert.False((await twin.GetAsync<Contracts.Mode.CityMode>("/api/mode")).IsEmergency);
    }
}
