using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace CityOps.Twin.Bench;

/// <summary>
/// The twin view in Debian's headless Chromium, as the browser tests drive it: the browser, a user made for the
/// views, and the operations map opened at 1920x1080 in a context of its own, signed in through the sign-in API,
/// waited on until it is live and drawn. Shared by the cluster and views benchmarks.
/// </summary>
internal static class TwinBrowser
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly TimeSpan Drawn = TimeSpan.FromMinutes(2);

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, string benchmark)
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"No browser at {Chromium}: the {benchmark} benchmark watches the twin view in Debian's Chromium (apt-get install chromium; ./test.sh installs it).");
        }
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A user with the duty leader's and operator's roles, made by the silo's administrator: its name and password.</summary>
    public static async Task<(string Name, string Password)> CreateViewerAsync(SiloProcess silo, string name)
    {
        var created = await silo.Http.PostAsJsonAsync("/api/admin/users", new { name, roles = new[] { "Leader", "Operator" } });
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating the view's user '{name}' was refused ({(int)created.StatusCode}): {await created.Content.ReadAsStringAsync()}");
        }
        var password = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password").GetString()
            ?? throw new InvalidOperationException($"The silo made user '{name}' but answered no password.");
        return (name, password);
    }

    /// <summary>
    /// The operations map on the silo in a new browser context signed in as <paramref name="viewer"/>, live and drawn.
    /// <paramref name="beforeLoad"/> sees the page before it navigates (to listen to its WebSocket, say).
    /// </summary>
    public static async Task<IPage> OpenMapAsync(IBrowser browser, SiloProcess silo, (string Name, string Password) viewer, Action<IPage>? beforeLoad = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1920, Height = 1080 }, BaseURL = silo.Address.ToString() });
        try
        {
            var signedIn = await context.APIRequest.PostAsync("/api/account/signin", new APIRequestContextOptions { DataObject = new { name = viewer.Name, password = viewer.Password } });
            if (!signedIn.Ok)
            {
                throw new InvalidOperationException($"The view's user '{viewer.Name}' could not sign in ({signedIn.Status}): {await signedIn.TextAsync()}");
            }
            var page = await context.NewPageAsync();
            beforeLoad?.Invoke(page);
            await page.GotoAsync("/");
            await page.Locator(".twin-shell[data-live=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Drawn.TotalMilliseconds });
            await page.Locator("[data-testid=city-map][data-drawn=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = (float)Drawn.TotalMilliseconds });
            return page;
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }
}
