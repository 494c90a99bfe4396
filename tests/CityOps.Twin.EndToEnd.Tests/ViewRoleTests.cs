using System.Net.Http.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

/// <summary>
/// Roles through the view: controls a role may not use are shown disabled, and an event handler forced anyway
/// (the disabled attribute removed in the browser, as an attacker would) is refused on the server and audited.
/// </summary>
[Collection("live twin")]
public sealed class ViewRoleTests(LiveTwin twin)
{
    private static Task ForceEnableAsync(ILocator control) => control.EvaluateAsync("element => element.removeAttribute('disabled')");

    [Fact]
    public async Task A_leaders_view_shows_case_and_mode_controls_disabled_and_forcing_them_is_refused_on_the_server_and_audited()
    {
        await twin.UserAsync("领导甲", "Leader");
        var created = await (await twin.PostAsync("/api/cases", new { title = "路灯不亮", categoryCode = "0302", longitude = 121.6050, latitude = 31.2050 }))
            .Content.ReadFromJsonAsync<CaseRecord>(LiveTwin.Json);
        var page = await twin.OpenAsync($"/cases?case={created!.CaseId}", user: "领导甲");

        var register = page.Locator("[data-testid=case-actions] button[data-action=Register]");
        await Assertions.Expect(register).ToBeDisabledAsync();
        await ForceEnableAsync(register);
        await register.ClickAsync();
        await Assertions.Expect(page.GetByTestId("step-error")).ToContainTextAsync("may not work cases");
        Assert.Equal(CaseStatus.Reported, (await twin.GetAsync<CaseRecord>($"/api/cases/{created.CaseId}")).Status);

        await page.GotoAsync(new Uri(twin.Address, "/").ToString());
        await page.Locator(".twin-shell[data-live=true]").WaitForAsync();
        var modeSwitch = page.GetByTestId("mode-switch");
        await Assertions.Expect(modeSwitch).ToBeDisabledAsync();
        await ForceEnableAsync(modeSwitch);
        await modeSwitch.ClickAsync();
        await page.GetByTestId("mode-reason").FillAsync("越权尝试");
        await page.GetByTestId("mode-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("mode-error")).ToContainTextAsync("may not switch the city's mode");
        Assert.False((await twin.GetAsync<CityMode>("/api/mode")).IsEmergency);

        var audit = await twin.GetAsync<List<AuditEntry>>($"/api/admin/audit?actor={Uri.EscapeDataString("领导甲")}");
        Assert.Contains(audit, l => (l.Record.Action, l.Record.Target, l.Record.Outcome, l.Record.Channel, l.Record.Address) == ("case.Register", created.CaseId, "forbidden", "view", "127.0.0.1"));
        Assert.Contains(audit, l => (l.Record.Action, l.Record.Outcome, l.Record.Channel) == ("mode.switch", "forbidden", "view"));

        // No administration for a leader: no link, and the page itself is refused.
        await Assertions.Expect(page.Locator(".twin-nav a[href=admin]")).ToHaveCountAsync(0);
        var admin = await page.GotoAsync(new Uri(twin.Address, "/admin").ToString());
        Assert.Equal(403, admin!.Status);
    }

    [Fact]
    public async Task The_administrator_creates_an_operator_whose_password_is_shown_once_and_who_then_signs_in_and_sees_the_audit_of_it()
    {
        var admin = await twin.OpenAsync("/admin", user: "admin");
        await admin.GetByTestId("new-user-name").FillAsync("巡查员王");
        await admin.GetByTestId("new-user-create").ClickAsync();
        var secret = admin.GetByTestId("admin-secret");
        await Assertions.Expect(secret).ToContainTextAsync("巡查员王");
        var password = (await secret.Locator("code").TextContentAsync())!;
        await Assertions.Expect(admin.Locator("[data-testid=users] tr[data-user=巡查员王]")).ToContainTextAsync("值班员");
        await Assertions.Expect(admin.Locator("[data-testid=audit] tr[data-action='user.create']").First).ToContainTextAsync("巡查员王");
        await LiveTwin.ScreenshotAsync(admin, "admin");

        await using var context = await twin.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(twin.Address, "/cases").ToString());
        Assert.EndsWith("/signin", new Uri(page.Url).AbsolutePath);
        await page.GetByTestId("signin-name").FillAsync("巡查员王");
        await page.GetByTestId("signin-password").FillAsync("not-the-password");
        await page.GetByTestId("signin-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("signin-error")).ToBeVisibleAsync();
        await LiveTwin.ScreenshotAsync(page, "signin");

        await page.GetByTestId("signin-name").FillAsync("巡查员王");
        await page.GetByTestId("signin-password").FillAsync(password);
        await page.GetByTestId("signin-submit").ClickAsync();
        await page.Locator(".twin-shell[data-live=true]").WaitForAsync();
        Assert.EndsWith("/cases", new Uri(page.Url).AbsolutePath);
        await Assertions.Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync("巡查员王");

        await page.GetByTestId("signout").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal));
        var audit = await twin.GetAsync<List<AuditEntry>>($"/api/admin/audit?actor={Uri.EscapeDataString("巡查员王")}");
        Assert.Equal(["signin:refused", "signin:ok", "signout:ok"], audit.Select(l => $"{l.Record.Action}:{l.Record.Outcome}").Reverse());
    }
}
