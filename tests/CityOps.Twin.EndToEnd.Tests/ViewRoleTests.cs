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
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };
        await page.GotoAsync(new Uri(twin.Address, "/cases").ToString());
        Assert.EndsWith("/signin", new Uri(page.Url).AbsolutePath);
        // The sign-in page loads all it asks for (the framework's script included) without a browser error.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.Empty(consoleErrors);
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
        try
        {
            await page.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal));
        }
        catch (TimeoutException)
        {
            await LiveTwin.ScreenshotAsync(page, "signout-failed");
            throw new TimeoutException($"Sign-out did not land on the sign-in page; the page is {page.Url}: {await page.ContentAsync()}");
        }
        var audit = await twin.GetAsync<List<AuditEntry>>($"/api/admin/audit?actor={Uri.EscapeDataString("巡查员王")}");
        Assert.Equal(["signin:refused", "signin:ok", "signout:ok"], audit.Select(l => $"{l.Record.Action}:{l.Record.Outcome}").Reverse());
    }
}

/// <summary>Each role against each action class in the view: which controls are live, and a forced drill start refused.</summary>
[Collection("live twin")]
public sealed class ViewRoleMatrixTests(LiveTwin twin)
{
    [Theory]
    [InlineData("Leader")]
    [InlineData("Operator")]
    [InlineData("Commander")]
    [InlineData("DrillController")]
    [InlineData("Admin")]
    public async Task Each_role_finds_live_exactly_the_controls_of_its_action_classes_and_a_forced_drill_start_is_refused_unless_it_may_run_drills(string role)
    {
        var user = $"矩阵-{role}";
        await twin.UserAsync(user, role);
        var created = await (await twin.PostAsync("/api/cases", new { title = "矩阵检查", categoryCode = "0302", longitude = 121.6050, latitude = 31.2050 }))
            .Content.ReadFromJsonAsync<CaseRecord>(LiveTwin.Json);
        var roles = new[] { Enum.Parse<TwinRole>(role) };

        var desk = await twin.OpenAsync($"/cases?case={created!.CaseId}", user: user);
        await Expect(desk.Locator("[data-testid=case-actions] button[data-action=Register]"), TwinPermissions.Allows(roles, TwinAction.WorkCases));
        await Expect(desk.GetByTestId("mode-switch"), TwinPermissions.Allows(roles, TwinAction.SwitchMode));
        await Assertions.Expect(desk.Locator(".twin-nav a[href=admin]")).ToHaveCountAsync(TwinPermissions.Allows(roles, TwinAction.Administer) ? 1 : 0);

        var drill = await twin.OpenAsync("/drill", user: user);
        var start = drill.GetByTestId("drill-start");
        var mayRun = TwinPermissions.Allows(roles, TwinAction.RunDrill);
        await Expect(start, mayRun);
        if (!mayRun)
        {
            await start.EvaluateAsync("element => element.removeAttribute('disabled')");
            await start.ClickAsync();
            await Assertions.Expect(drill.GetByTestId("drill-error")).ToContainTextAsync("may not run or inject a drill");
            Assert.Contains(await twin.GetAsync<List<AuditEntry>>($"/api/admin/audit?actor={Uri.EscapeDataString(user)}&action=drill.start"),
                l => l.Record.Outcome == "forbidden" && l.Record.Channel == "view");
        }
        await desk.Context.CloseAsync();
        await drill.Context.CloseAsync();
    }

    private static Task Expect(ILocator control, bool live) =>
        live ? Assertions.Expect(control).ToBeEnabledAsync() : Assertions.Expect(control).ToBeDisabledAsync();
}
