using System.Text.RegularExpressions;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

[Collection("live twin")]
public sealed class DrillPageTests(LiveTwin twin)
{
    [Fact]
    public async Task The_drill_controller_starts_speeds_up_pauses_and_resumes_a_drill_that_never_touches_the_live_twin()
    {
        await twin.UserAsync("导调员", "DrillController");
        var page = await twin.OpenAsync("/drill", user: "导调员");
        await page.GetByTestId("drill-scenario").SelectOptionAsync("rainstorm-drill.yaml");
        await page.GetByTestId("drill-start-speed").SelectOptionAsync("60");
        // Unattended: the scenario's scripted commander and operator play.
        await page.GetByTestId("drill-commander-played").SelectOptionAsync("script");
        await page.GetByTestId("drill-operators-played").SelectOptionAsync("script");
        await page.GetByTestId("drill-start").ClickAsync();

        var status = page.GetByTestId("drill-status");
        await Assertions.Expect(status).ToHaveAttributeAsync("data-finished", "false");
        // Filing the drill's copy of the city takes seconds, longer on a loaded machine.
        await Assertions.Expect(status).ToHaveAttributeAsync("data-state", "running", new LocatorAssertionsToHaveAttributeOptions { Timeout = 60_000 });
        await Assertions.Expect(status).ToHaveAttributeAsync("data-speed", "60");
        // A view that did not enter the drill shows the live city, with a note that a drill runs (not the EXERCISE banner).
        var map = await twin.OpenAsync("/");
        await Assertions.Expect(map.GetByTestId("drill-running")).ToContainTextAsync("rainstorm", new LocatorAssertionsToContainTextOptions { IgnoreCase = true });
        await Assertions.Expect(map.GetByTestId("exercise-banner")).ToHaveCountAsync(0);

        // People trapped in a lift, by hand: the drill's copy has the case; the live lift is untouched.
        await page.GetByTestId("drill-inject-device").FillAsync("ELV-00011");
        await page.GetByTestId("drill-inject-send").ClickAsync();
        await Assertions.Expect(page.GetByTestId("drill-events")).ToContainTextAsync("ELV-00011");

        await page.GetByTestId("drill-pause").ClickAsync();
        await Assertions.Expect(status).ToHaveAttributeAsync("data-paused", "true");
        var paused = (await twin.GetAsync<DrillStatus>("/api/drills/current")).Elapsed;
        Assert.Equal((int)paused.TotalMinutes, int.Parse((await status.GetAttributeAsync("data-elapsed"))!));

        await page.GetByTestId("drill-speed-600").ClickAsync();
        await Assertions.Expect(status).ToHaveAttributeAsync("data-speed", "600");
        await page.GetByTestId("drill-resume").ClickAsync();
        await Assertions.Expect(status).ToHaveAttributeAsync("data-paused", "false");
        // Resumed at 600x the clock moves ten drill minutes a second; a loaded machine gets longer to show it.
        await Assertions.Expect(status).Not.ToHaveAttributeAsync("data-elapsed", ((int)paused.TotalMinutes).ToString(), new LocatorAssertionsToHaveAttributeOptions { Timeout = 30_000 });
        await LiveTwin.ScreenshotAsync(page, "drill");

        // At 600x the two-hour drill ends in seconds, with its report.
        await Assertions.Expect(status).ToHaveAttributeAsync("data-finished", "true", new LocatorAssertionsToHaveAttributeOptions { Timeout = 60_000 });
        await Assertions.Expect(page.GetByTestId("drill-report")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-expected=dispatch-lift]")).ToHaveAttributeAsync("data-met", "true");
        var report = await twin.Http.GetStringAsync("/api/drills/report.html");
        Assert.Contains("EXERCISE · 演练", report);
        Assert.Contains("ELV-00011", report);
        await Assertions.Expect(map.GetByTestId("drill-running")).ToHaveCountAsync(0);

        var audit = await twin.GetAsync<List<AuditEntry>>($"/api/admin/audit?actor={Uri.EscapeDataString("导调员")}&action=drill.");
        Assert.Equal(["drill.start", "drill.inject", "drill.pause", "drill.setspeed", "drill.resume"], audit.Where(l => l.Record.Outcome == "ok").Select(l => l.Record.Action).Reverse().Take(5));

        var liveLift = await twin.GetAsync<ElevatorSnapshot>("/api/devices/ELV-00011");
        Assert.Equal(ElevatorStatus.Normal, liveLift.Status);
        Assert.Equal(0, liveLift.TrappedEpisodes);
    }
}
