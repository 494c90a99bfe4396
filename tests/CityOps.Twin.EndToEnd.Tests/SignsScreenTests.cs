using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

[Collection("live twin")]
public sealed class SignsScreenTests(LiveTwin twin)
{
    [Fact]
    public async Task The_vital_sign_screen_drills_down_from_the_city_to_a_grid_by_clicks()
    {
        var page = await twin.OpenAsync("/signs", width: 3840, height: 2160);
        var screen = page.GetByTestId("signs-screen");
        await Assertions.Expect(screen).ToHaveAttributeAsync("data-level", "City");
        await Assertions.Expect(page.GetByTestId("index-composite")).Not.ToHaveTextAsync("—");
        await LiveTwin.ScreenshotAsync(page, "signs-city-wall");

        var path = new List<string> { "city" };
        foreach (var level in new[] { "District", "Street", "Grid" })
        {
            var child = page.Locator("[data-testid=children] tbody tr[data-area]").First;
            var code = (await child.GetAttributeAsync("data-area"))!;
            await child.Locator("a").ClickAsync();
            await Assertions.Expect(screen).ToHaveAttributeAsync("data-area", code);
            await Assertions.Expect(screen).ToHaveAttributeAsync("data-level", level);
            path.Add(code);
        }

        // The breadcrumb leads back up the same way.
        var crumbs = await page.Locator("[data-testid=breadcrumb] a[data-area]").EvaluateAllAsync<string[]>("links => links.map(l => l.dataset.area)");
        Assert.Equal(path[..^1], crumbs);
        await Assertions.Expect(page.GetByTestId("index-composite")).Not.ToHaveTextAsync("—");
        await Assertions.Expect(page.GetByTestId("trend-plot")).ToBeVisibleAsync();
        await LiveTwin.ScreenshotAsync(page, "signs-grid-wall");
    }
}
