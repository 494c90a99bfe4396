using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

/// <summary>A wall must show it is live: a clock that ticks from the server, and a page that greys when the server's frames stop.</summary>
[Collection("live twin")]
public sealed class LiveClockTests(LiveTwin twin)
{
    [Fact]
    public async Task The_header_clock_ticks_from_the_server_and_a_page_whose_frames_stop_for_10_s_turns_grey()
    {
        // The browser's clock is the test's (it flows as real time until the test moves it), from the page's first script on.
        var page = await twin.OpenAsync("/signs");
        await page.Clock.InstallAsync();
        await page.ReloadAsync();
        await page.Locator(".twin-shell[data-live=true]").WaitForAsync();
        var clock = page.GetByTestId("live-clock");
        var first = await clock.TextContentAsync();
        await Assertions.Expect(clock).Not.ToHaveTextAsync(first!, new LocatorAssertionsToHaveTextOptions { Timeout = 3_000 });
        await Assertions.Expect(clock).ToContainTextAsync("更新于");
        await Assertions.Expect(page.Locator(".twin-shell")).ToHaveAttributeAsync("data-stale", "false");

        // The browser's clock jumps 15 s in an instant, in which no frame can come from the server: the page says it is stale.
        await page.Clock.FastForwardAsync("00:15");
        await Assertions.Expect(page.Locator(".twin-shell")).ToHaveAttributeAsync("data-stale", "true");
        await LiveTwin.ScreenshotAsync(page, "signs-stale");

        // The next frame brings it back.
        await page.Clock.RunForAsync(2_000);
        await Assertions.Expect(page.Locator(".twin-shell")).ToHaveAttributeAsync("data-stale", "false", new LocatorAssertionsToHaveAttributeOptions { Timeout = 5_000 });
    }
}
