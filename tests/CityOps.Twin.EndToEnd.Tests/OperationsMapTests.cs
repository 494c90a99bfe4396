using CityOps.Twin.Contracts.City;
using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

[Collection("live twin")]
public sealed class OperationsMapTests(LiveTwin twin)
{
    private static readonly LocatorWaitForOptions Within2Seconds = new() { Timeout = 2_000 };

    [Fact]
    public async Task The_map_draws_every_grid_of_the_demo_city_and_each_device_layer()
    {
        var page = await twin.OpenAsync("/");
        var map = page.GetByTestId("city-map");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-drawn", "true");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-grids", "3465");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-sensors", "2400");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-cameras", "1200");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-elevators", "600");
        await LiveTwin.ScreenshotAsync(page, "map");

        await page.Locator("[data-layer=cameras]").UncheckAsync();
        await Assertions.Expect(map).ToHaveAttributeAsync("data-cameras", "0");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-sensors", "2400");
    }
}
