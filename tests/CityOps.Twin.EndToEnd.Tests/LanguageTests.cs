using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

[Collection("live twin")]
public sealed class LanguageTests(LiveTwin twin)
{
    [Fact]
    public async Task The_view_opens_in_Chinese_and_the_switch_turns_it_English_and_is_remembered()
    {
        var page = await twin.OpenAsync("/");
        var nav = page.Locator(".twin-nav");
        await Assertions.Expect(nav).ToContainTextAsync("运行地图");

        await page.GetByTestId("language-switch").ClickAsync();
        await Assertions.Expect(nav).ToContainTextAsync("Operations map");
        await Assertions.Expect(page.Locator(".twin-title")).ToHaveTextAsync("City Operations Twin");
        await Assertions.Expect(page.GetByTestId("city-mode")).ToContainTextAsync("Normal operations");

        await page.ReloadAsync();
        await page.Locator(".twin-shell[data-live=true]").WaitForAsync();
        await Assertions.Expect(nav).ToContainTextAsync("Operations map");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.GetByTestId("city-map")).ToHaveAttributeAsync("data-drawn", "true");
        await LiveTwin.ScreenshotAsync(page, "map-english");

        await page.GetByTestId("language-switch").ClickAsync();
        await Assertions.Expect(nav).ToContainTextAsync("运行地图");
    }
}
