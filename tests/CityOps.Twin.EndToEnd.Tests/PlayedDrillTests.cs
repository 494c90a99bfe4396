using System.Diagnostics;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

/// <summary>
/// A drill played by people, each in their own browser with their own role: a drill controller directs it from the
/// drill page, a commander and an operator enter the drill's city through the header and act there with the views
/// they use every day, and a leader who never entered keeps watching the live city.
/// </summary>
[Collection("live twin")]
public sealed class PlayedDrillTests(LiveTwin twin)
{
    private const string Controller = "导调员王";
    private const string Commander = "指挥长李";
    private const string Operator = "值班员张";
    private const string Bystander = "领导赵";

    /// <summary>Runs the drill at 60x until its clock has passed the minute, pauses it, and returns the minute it stands at.</summary>
    private static async Task<int> RunToAndPauseAsync(IPage controller, int minute)
    {
        var status = controller.GetByTestId("drill-status");
        await controller.GetByTestId("drill-speed-60").ClickAsync();
        await Assertions.Expect(status).ToHaveAttributeAsync("data-speed", "60");
        if (await status.GetAttributeAsync("data-paused") == "true")
        {
            await controller.GetByTestId("drill-resume").ClickAsync();
        }
        await controller.WaitForFunctionAsync($"() => +document.querySelector('[data-testid=drill-status]').dataset.elapsed >= {minute}", null,
            new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 50 });
        await controller.GetByTestId("drill-pause").ClickAsync();
        await Assertions.Expect(status).ToHaveAttributeAsync("data-paused", "true");
        return int.Parse((await status.GetAttributeAsync("data-elapsed"))!);
    }

    private static async Task EnterDrillAsync(IPage page)
    {
        await page.GetByTestId("drill-enter").ClickAsync();
        await Assertions.Expect(page.Locator(".twin-shell")).ToHaveAttributeAsync("data-city", "drill");
        await Assertions.Expect(page.GetByTestId("exercise-banner")).ToContainTextAsync("EXERCISE");
        await Assertions.Expect(page.GetByTestId("drill-clock-header")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_controller_a_commander_and_an_operator_play_the_flood_drill_in_its_city_and_the_live_city_is_untouched()
    {
        await twin.UserAsync(Controller, "DrillController");
        await twin.UserAsync(Commander, "Commander");
        await twin.UserAsync(Operator, "Operator");
        await twin.UserAsync(Bystander, "Leader");
        var liveCasesBefore = (await twin.GetAsync<List<CaseRecord>>("/api/cases")).Select(c => (c.CaseId, c.Status, c.Timeline.Count)).Order().ToList();
        var auditBefore = (await twin.GetAsync<List<AuditEntry>>("/api/admin/audit?count=1")).Single().Sequence;

        // The leader watches the live city throughout; the page notes whether it ever showed anything of the drill.
        var bystander = await twin.OpenAsync("/", user: Bystander);
        await bystander.EvaluateAsync("""
            () => {
                window.sawDrill = [];
                const look = () => {
                    if (document.querySelector('.twin-shell[data-city=drill], [data-testid=exercise-banner], .twin-shell[data-mode=Emergency], [data-testid=alarm-list] [data-sensor-id=WL-00200]'))
                        window.sawDrill.push(new Date().toISOString());
                };
                new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
            }
            """);

        // The controller starts the built-in flood scenario at 10x, the commander and the operators played by people.
        var controller = await twin.OpenAsync("/drill", user: Controller);
        await controller.GetByTestId("drill-scenario").SelectOptionAsync("rainstorm-drill.yaml");
        await controller.GetByTestId("drill-start-speed").SelectOptionAsync("10");
        await controller.GetByTestId("drill-commander-played").SelectOptionAsync("people");
        await controller.GetByTestId("drill-operators-played").SelectOptionAsync("people");
        await controller.GetByTestId("drill-start").ClickAsync();
        var status = controller.GetByTestId("drill-status");
        await Assertions.Expect(status).ToHaveAttributeAsync("data-state", "running", new LocatorAssertionsToHaveAttributeOptions { Timeout = 60_000 });
        await Assertions.Expect(status).ToHaveAttributeAsync("data-speed", "10");

        // The commander enters the drill's city and sees the controller's inject on the map within 2 s.
        var commander = await twin.OpenAsync("/", user: Commander);
        await Assertions.Expect(commander.Locator(".twin-shell")).ToHaveAttributeAsync("data-city", "live");
        await EnterDrillAsync(commander);
        await Assertions.Expect(commander.GetByTestId("city-map")).ToHaveAttributeAsync("data-drawn", "true");
        // The history is the live city's, not the drill's: the drill's map offers no time slider, the live city's does.
        await Assertions.Expect(commander.GetByTestId("time-slider")).ToHaveCountAsync(0);
        await Assertions.Expect(bystander.GetByTestId("time-slider")).ToBeVisibleAsync();
        await controller.GetByTestId("drill-inject-kind").SelectOptionAsync("sensor-reading");
        await controller.GetByTestId("drill-inject-device").FillAsync("WL-00200");
        await controller.GetByTestId("drill-inject-value").FillAsync("35");
        var injected = Stopwatch.StartNew();
        await controller.GetByTestId("drill-inject-send").ClickAsync();
        await Appearance.WithinAsync(commander, "[data-testid=alarm-list] [data-sensor-id=WL-00200]", injected, TimeSpan.FromSeconds(2), "the drill's alarm on the commander's map");

        // The flooding inject comes at 10 min; a few drill minutes later the commander switches the drill's city to flood level III.
        var switchedAt = await RunToAndPauseAsync(controller, 13);
        await commander.GetByTestId("mode-switch").ClickAsync();
        var dialog = commander.GetByTestId("mode-switch-dialog");
        await dialog.GetByTestId("mode-kind").SelectOptionAsync("Flood");
        await dialog.GetByTestId("mode-level").SelectOptionAsync("III");
        await Assertions.Expect(dialog.GetByTestId("mode-by")).ToHaveTextAsync(Commander);
        await dialog.GetByTestId("mode-reason").FillAsync("张江积水点水深超标");
        await dialog.GetByTestId("mode-confirm").ClickAsync();
        await Assertions.Expect(commander.Locator(".twin-shell")).ToHaveAttributeAsync("data-mode", "Emergency");
        await Assertions.Expect(commander.GetByTestId("city-mode")).ToContainTextAsync("III级");
        Assert.Equal(OperatingMode.Normal, (await twin.GetAsync<CityMode>("/api/mode")).Operating);
        await LiveTwin.ScreenshotAsync(commander, "drill-played-map");
        // The fullest header there is (the drill clock, its way back, an emergency level) still fits a laptop and a wall in one row.
        foreach (var (width, height) in new[] { (1280, 720), (3840, 2160) })
        {
            await commander.SetViewportSizeAsync(width, height);
            await LiveTwin.ScreenshotAsync(commander, $"drill-played-map-{width}");
            var problems = await commander.EvaluateAsync<string[]>(LayoutTests.Problems);
            Assert.True(problems.Length == 0, string.Join('\n', problems));
        }
        await commander.SetViewportSizeAsync(1920, 1080);

        // People are trapped in a lift at 30 min; two drill minutes later the operator enters the drill at the case desk and dispatches the case.
        var dispatchedAt = await RunToAndPauseAsync(controller, 32);
        var desk = await twin.OpenAsync("/cases", user: Operator);
        await EnterDrillAsync(desk);
        var lift = desk.Locator("[data-testid=case-queue] tr[data-case-id^='E-ELV-00007-']");
        await lift.ClickAsync();
        await desk.Locator("[data-testid=case-actions] button[data-action=Register]").ClickAsync();
        await Assertions.Expect(desk.GetByTestId("case-detail")).ToHaveAttributeAsync("data-status", "Registered");
        await desk.Locator("[data-testid=case-actions] button[data-action=Dispatch]").ClickAsync();
        await desk.GetByTestId("step-input").FillAsync("电梯维保应急组");
        await desk.GetByTestId("step-confirm").ClickAsync();
        await Assertions.Expect(desk.GetByTestId("case-detail")).ToHaveAttributeAsync("data-status", "Dispatched");
        await LiveTwin.ScreenshotAsync(desk, "drill-played-cases");

        // Still in the drill, the operator goes to the map and opens a case with a click: it is the drill's case.
        await desk.Locator(".twin-nav a[href='']").ClickAsync();
        await Assertions.Expect(desk.Locator(".twin-shell")).ToHaveAttributeAsync("data-city", "drill");
        var map = desk.GetByTestId("city-map");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-drawn", "true");
        var sensor = await twin.GetAsync<SensorSnapshot>("/api/devices/WL-00100");
        var pixel = await map.EvaluateAsync<double[]>("(canvas, p) => canvas.twinMap.pixelOf(p[0], p[1])",
            new[] { sensor.File.Position.Longitude + 0.0005, sensor.File.Position.Latitude + 0.0005 });
        await map.ClickAsync(new LocatorClickOptions { Position = new Position { X = (float)pixel[0], Y = (float)pixel[1] } });
        await desk.GetByTestId("open-case").ClickAsync();
        var opened = await desk.GetByTestId("opened-case").GetAttributeAsync("data-case-id");
        Assert.NotNull(opened);
        var drillCase = await twin.GetAsync<CaseRecord>($"/api/drills/current/city/cases/{opened}");
        Assert.Equal(Operator, drillCase.Timeline[0].Actor);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await twin.Http.GetAsync($"/api/cases/{opened}")).StatusCode);

        // The evaluators' panel: both met, by those people, with the delays the drill clock gives.
        var switchRow = controller.Locator("[data-testid=drill-expected] tr[data-expected=switch-to-III]");
        var dispatchRow = controller.Locator("[data-testid=drill-expected] tr[data-expected=dispatch-lift]");
        await Assertions.Expect(switchRow).ToHaveAttributeAsync("data-state", "met");
        await Assertions.Expect(switchRow).ToHaveAttributeAsync("data-by", Commander);
        await Assertions.Expect(switchRow).ToHaveAttributeAsync("data-delay", (switchedAt - 10).ToString());
        await Assertions.Expect(dispatchRow).ToHaveAttributeAsync("data-state", "met");
        await Assertions.Expect(dispatchRow).ToHaveAttributeAsync("data-by", Operator);
        await Assertions.Expect(dispatchRow).ToHaveAttributeAsync("data-delay", (dispatchedAt - 30).ToString());
        await LiveTwin.ScreenshotAsync(controller, "drill-played-evaluation");

        // To the end at 600x (unattended now: the page warns that people cannot keep up); the report names them.
        await controller.GetByTestId("drill-speed-600").ClickAsync();
        await Assertions.Expect(controller.GetByTestId("drill-running-speed-warning")).ToBeVisibleAsync();
        await controller.GetByTestId("drill-resume").ClickAsync();
        await Assertions.Expect(status).ToHaveAttributeAsync("data-finished", "true", new LocatorAssertionsToHaveAttributeOptions { Timeout = 90_000 });
        // The players' views return to the live city when the drill ends.
        await Assertions.Expect(commander.Locator(".twin-shell")).ToHaveAttributeAsync("data-city", "live");
        await Assertions.Expect(commander.Locator(".twin-shell")).ToHaveAttributeAsync("data-mode", "Normal");
        var report = await twin.Http.GetStringAsync("/api/drills/report.html");
        Assert.Matches($"data-expected=\"switch-to-III\" data-met=\"true\".*?<td class=\"by\">{Commander}</td><td class=\"took\">00:{switchedAt - 10:D2}</td>", report);
        Assert.Matches($"data-expected=\"dispatch-lift\" data-met=\"true\".*?<td class=\"by\">{Operator}</td><td class=\"took\">00:{dispatchedAt - 30:D2}</td>", report);

        // The live city: its mode, its cases and its audit log (no case step or switch) are as they were.
        Assert.Equal(OperatingMode.Normal, (await twin.GetAsync<CityMode>("/api/mode")).Operating);
        Assert.Equal(liveCasesBefore, (await twin.GetAsync<List<CaseRecord>>("/api/cases")).Select(c => (c.CaseId, c.Status, c.Timeline.Count)).Order().ToList());
        var audit = await twin.GetAsync<List<AuditEntry>>("/api/admin/audit?count=1000");
        Assert.DoesNotContain(audit.Where(a => a.Sequence > auditBefore), a => a.Record.Action.StartsWith("case.", StringComparison.Ordinal) || a.Record.Action.StartsWith("mode.", StringComparison.Ordinal));
        Assert.Empty(await bystander.EvaluateAsync<string[]>("() => window.sawDrill"));
        await Assertions.Expect(bystander.Locator(".twin-shell")).ToHaveAttributeAsync("data-city", "live");
    }
}
