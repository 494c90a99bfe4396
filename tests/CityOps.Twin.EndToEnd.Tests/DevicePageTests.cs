using System.Globalization;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

[Collection("live twin")]
public sealed class DevicePageTests(LiveTwin twin)
{
    [Fact]
    public async Task A_sensor_page_plots_its_readings_against_its_four_thresholds_and_follows_new_ones()
    {
        const string SensorId = "WL-00412";
        var sensor = await twin.GetAsync<SensorSnapshot>($"/api/devices/{SensorId}");
        var start = DateTimeOffset.UtcNow.AddMinutes(-3);
        await twin.PostAsync("/api/ingest/readings", new
        {
            readings = new[] { 2.0, 6.5, 9.0 }.Select((value, i) => new { sensorId = SensorId, measuredAt = start.AddMinutes(i).ToString("O", CultureInfo.InvariantCulture), value }),
        });

        var page = await twin.OpenAsync($"/devices/{SensorId}");
        var plot = page.GetByTestId("readings-plot");
        await Assertions.Expect(plot).ToHaveAttributeAsync("data-readings", "3");
        await Assertions.Expect(plot.Locator("line.threshold")).ToHaveCountAsync(4);
        await Assertions.Expect(page.GetByTestId("sensor-value")).ToContainTextAsync($"9.00 {sensor.Thresholds.Unit}");

        await twin.PostAsync("/api/ingest/readings", new
        {
            readings = new[] { new { sensorId = SensorId, measuredAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), value = sensor.Thresholds.Orange + 1 } },
        });
        await Assertions.Expect(plot).ToHaveAttributeAsync("data-readings", "4");
        await Assertions.Expect(page.GetByTestId("sensor-level")).ToHaveTextAsync("橙色");
        await LiveTwin.ScreenshotAsync(page, "device-sensor");
    }

    [Fact]
    public async Task An_elevator_page_shows_its_file_and_a_camera_page_its_status()
    {
        var elevator = await twin.GetAsync<ElevatorSnapshot>("/api/devices/ELV-00007");
        var page = await twin.OpenAsync("/devices/ELV-00007", language: "en");
        await Assertions.Expect(page.GetByTestId("elevator-file")).ToContainTextAsync(elevator.File.Maintainer);
        await Assertions.Expect(page.GetByTestId("elevator-status")).ToHaveTextAsync("Normal");
        // Its maintenance is long past due (the demo city's lifts were last maintained in the first half of 2026): flagged with how late.
        var late = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime).DayNumber - elevator.File.NextMaintenanceDue.DayNumber;
        Assert.True(late > 0);
        await Assertions.Expect(page.GetByTestId("maintenance-overdue")).ToHaveTextAsync($"Maintenance overdue {late} days");
        // The English page names the lift in English where the name has words for it ("三林镇 243号楼" is "Sanlin Town building 243").
        await Assertions.Expect(page.Locator("h1")).Not.ToContainTextAsync("号楼");

        var camera = await twin.GetAsync<CameraSnapshot>("/api/devices/CAM-00007");
        await page.GotoAsync(new Uri(twin.Address, "/devices/CAM-00007").ToString());
        await Assertions.Expect(page.GetByTestId("camera-online")).ToHaveTextAsync(camera.Online ? "Online" : "Offline");

        await page.GotoAsync(new Uri(twin.Address, "/devices/NO-SUCH-DEVICE").ToString());
        // The page's own alert (a switch the twin proposes is an alert of the header's).
        await Assertions.Expect(page.Locator(".twin-main [role=alert]")).ToContainTextAsync("NO-SUCH-DEVICE");
    }
}
