using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

[Collection("live twin")]
public sealed class ModeSwitchTests(LiveTwin twin)
{
    [Fact]
    public async Task A_commander_switches_the_city_to_emergency_level_III_flood_and_every_open_view_changes_its_layout()
    {
        await twin.UserAsync("指挥长", "Commander");
        await twin.UserAsync("领导", "Leader");
        var commander = await twin.OpenAsync("/", user: "指挥长");
        var wall = await twin.OpenAsync("/signs", width: 3840, height: 2160, user: "领导");
        await Assertions.Expect(commander.GetByTestId("city-map")).ToHaveAttributeAsync("data-drawn", "true");
        await Assertions.Expect(commander.GetByTestId("city-map")).ToHaveAttributeAsync("data-cameras", "1200");
        try
        {
            await commander.GetByTestId("mode-switch").ClickAsync();
            var dialog = commander.GetByTestId("mode-switch-dialog");
            await dialog.GetByTestId("mode-kind").SelectOptionAsync("Flood");
            await dialog.GetByTestId("mode-level").SelectOptionAsync("III");

            // The switch is the signed-in commander's.
            await Assertions.Expect(dialog.GetByTestId("mode-by")).ToHaveTextAsync("指挥长");
            await dialog.GetByTestId("mode-reason").FillAsync("暴雨红色预警");
            // The other open view follows without a reload (how fast: the switchover benchmark, plus one 250 ms frame).
            await dialog.GetByTestId("mode-confirm").ClickAsync();
            await Assertions.Expect(wall.Locator(".twin-shell")).ToHaveAttributeAsync("data-mode", "Emergency");
            await Assertions.Expect(commander.Locator(".twin-shell")).ToHaveAttributeAsync("data-mode", "Emergency");

            // The emergency layout: the level in every header, the map by the flood index with flood sensors only, flood first on the wall.
            await Assertions.Expect(commander.GetByTestId("city-mode")).ToContainTextAsync("III级");
            await Assertions.Expect(wall.GetByTestId("city-mode")).ToContainTextAsync("防汛");
            await Assertions.Expect(commander.Locator(".map-page")).ToHaveAttributeAsync("data-layout", "emergency");
            await Assertions.Expect(commander.GetByTestId("map-index")).ToHaveValueAsync("Flood");
            await Assertions.Expect(commander.GetByTestId("city-map")).ToHaveAttributeAsync("data-cameras", "0");
            await Assertions.Expect(commander.GetByTestId("city-map")).ToHaveAttributeAsync("data-coloured", "3465");
            // The flood layer: waterlogging 900, river 400, rain 200 and tide 40 of the demo city's 2,400 sensors.
            await Assertions.Expect(commander.GetByTestId("city-map")).ToHaveAttributeAsync("data-sensors", "1540");
            await Assertions.Expect(wall.Locator(".index-tile").First).ToHaveAttributeAsync("data-index", "Flood");
            var mode = await twin.GetAsync<CityMode>("/api/mode");
            Assert.Equal((OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, "指挥长"), (mode.Operating, mode.Kind!.Value, mode.Level!.Value, mode.ChangedBy));
            await LiveTwin.ScreenshotAsync(commander, "map-emergency");
        }
        finally
        {
            await commander.GetByTestId("mode-switch").ClickAsync();
            await commander.GetByTestId("mode-reason").FillAsync("预警解除");
            await commander.GetByTestId("mode-confirm").ClickAsync();
        }

        await Assertions.Expect(commander.Locator(".twin-shell")).ToHaveAttributeAsync("data-mode", "Normal");
        await Assertions.Expect(commander.Locator(".map-page")).ToHaveAttributeAsync("data-layout", "normal");
        await Assertions.Expect(commander.GetByTestId("city-map")).ToHaveAttributeAsync("data-cameras", "1200");
        await Assertions.Expect(commander.GetByTestId("city-map")).ToHaveAttributeAsync("data-sensors", "2400");
        await Assertions.Expect(wall.Locator(".index-tile").First).ToHaveAttributeAsync("data-index", "Composite");
    }
}
