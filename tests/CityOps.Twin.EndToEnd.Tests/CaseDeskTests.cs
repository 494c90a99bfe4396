using System.Net.Http.Json;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

[Collection("live twin")]
public sealed class CaseDeskTests(LiveTwin twin)
{
    private async Task<CaseRecord> ReportPatrolCaseAsync()
    {
        var sensor = await twin.GetAsync<SensorSnapshot>("/api/devices/WL-00050");
        var response = await twin.PostAsync("/api/cases", new
        {
            title = "井盖缺失 e2e",
            description = "巡查发现井盖缺失",
            categoryCode = "0301",
            source = "Patrol",
            longitude = sensor.File.Position.Longitude,
            latitude = sensor.File.Position.Latitude,
        });
        return (await response.Content.ReadFromJsonAsync<CaseRecord>(LiveTwin.Json))!;
    }

    private static async Task<string[]> OfferedStepsAsync(IPage page) =>
        await page.Locator("[data-testid=case-actions] button[data-action]").EvaluateAllAsync<string[]>("buttons => buttons.map(b => b.dataset.action)");

    private static async Task StepAsync(IPage page, CaseAction action, CaseStatus expected, string? input = null)
    {
        // The desk offers exactly the steps the case's status allows, never one the case grain would refuse.
        Assert.Equal(CaseLifecycle.AllowedFrom(await StatusAsync(page)).Select(a => a.ToString()), await OfferedStepsAsync(page));
        await page.Locator($"[data-testid=case-actions] button[data-action={action}]").ClickAsync();
        if (input is not null)
        {
            var field = page.GetByTestId("step-input");
            if (await field.EvaluateAsync<string>("e => e.tagName") == "SELECT")
            {
                await field.SelectOptionAsync(input);
            }
            else
            {
                await field.FillAsync(input);
            }
            await page.GetByTestId("step-confirm").ClickAsync();
        }
        await Assertions.Expect(page.GetByTestId("case-detail")).ToHaveAttributeAsync("data-status", expected.ToString());
    }

    private static async Task<CaseStatus> StatusAsync(IPage page) =>
        Enum.Parse<CaseStatus>((await page.GetByTestId("case-detail").GetAttributeAsync("data-status"))!);

    [Fact]
    public async Task A_case_worked_through_its_whole_loop_with_the_desk_buttons_is_closed_in_the_api_and_no_illegal_step_is_offered()
    {
        var reported = await ReportPatrolCaseAsync();
        await twin.UserAsync("值班员", "Operator");
        var page = await twin.OpenAsync($"/cases?case={reported.CaseId}", user: "值班员");
        await Assertions.Expect(page.GetByTestId("case-detail")).ToHaveAttributeAsync("data-status", "Reported");
        Assert.Equal(["Register", "Cancel"], await OfferedStepsAsync(page));

        await StepAsync(page, CaseAction.Register, CaseStatus.Registered);
        Assert.DoesNotContain("PassCheck", await OfferedStepsAsync(page));
        await StepAsync(page, CaseAction.Dispatch, CaseStatus.Dispatched, input: "市政养护一队");
        await StepAsync(page, CaseAction.StartHandling, CaseStatus.Handling);
        await StepAsync(page, CaseAction.GiveFeedback, CaseStatus.Feedback);

        // A failed check asks for its reason and sends the case back as rework.
        await page.Locator("[data-testid=case-actions] button[data-action=FailCheck]").ClickAsync();
        await Assertions.Expect(page.GetByTestId("step-form")).ToBeVisibleAsync();
        await page.GetByTestId("step-input").FillAsync("井盖未复位");
        await page.GetByTestId("step-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-detail")).ToHaveAttributeAsync("data-status", "Dispatched");

        await StepAsync(page, CaseAction.StartHandling, CaseStatus.Handling);
        await StepAsync(page, CaseAction.GiveFeedback, CaseStatus.Feedback);
        await StepAsync(page, CaseAction.PassCheck, CaseStatus.Closed);
        var closed = await twin.GetAsync<CaseRecord>($"/api/cases/{reported.CaseId}");
        Assert.Equal(CaseStatus.Closed, closed.Status);
        Assert.Equal(1, closed.ReworkCount);
        Assert.Equal("市政养护一队", closed.Team);
        Assert.Contains(closed.Timeline, e => e.Reason == "井盖未复位");

        Assert.Equal(["Evaluate"], await OfferedStepsAsync(page));
        await StepAsync(page, CaseAction.Evaluate, CaseStatus.Evaluated, input: "4");
        Assert.Empty(await OfferedStepsAsync(page));
        var evaluated = await twin.GetAsync<CaseRecord>($"/api/cases/{reported.CaseId}");
        Assert.Equal(CaseStatus.Evaluated, evaluated.Status);
        Assert.Equal(4, evaluated.EvaluationScore);
        await Assertions.Expect(page.Locator("[data-testid=case-timeline] li")).ToHaveCountAsync(evaluated.Timeline.Count);

        // Every step is the signed-in operator's, in the case's timeline and in the audit log, with where it came from.
        Assert.All(evaluated.Timeline.Skip(1), e => Assert.Equal("值班员", e.Actor));
        var audit = await twin.GetAsync<List<AuditEntry>>($"/api/admin/audit?actor={Uri.EscapeDataString("值班员")}&action=case.");
        var steps = audit.Where(l => l.Record.Target == reported.CaseId && l.Record.Outcome == "ok").ToList();
        Assert.Equal(evaluated.Timeline.Count - 1, steps.Count);
        Assert.All(steps, l => Assert.Equal(("view", "127.0.0.1"), (l.Record.Channel, l.Record.Address)));
        Assert.Contains(steps, l => l.Record.Action == "case.FailCheck" && l.Record.Before!.Contains("Feedback") && l.Record.After!.Contains("Dispatched"));
    }

    [Fact]
    public async Task A_step_clicked_in_the_loop_diagram_moves_the_case_on_and_one_that_needs_a_team_asks_for_it()
    {
        var reported = await ReportPatrolCaseAsync();
        await twin.UserAsync("值班员", "Operator");
        // On a laptop's screen, where the desk's detail column is narrowest.
        var page = await twin.OpenAsync($"/cases?case={reported.CaseId}", width: 1280, height: 720, user: "值班员");
        var loop = page.GetByTestId("case-loop");
        await Assertions.Expect(loop.Locator("[data-current=true]")).ToHaveAttributeAsync("data-loop-status", "Reported");

        await loop.Locator("[data-testid=loop-step][data-action=Register]").ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-detail")).ToHaveAttributeAsync("data-status", "Registered");
        await Assertions.Expect(loop.Locator("[data-current=true]")).ToHaveAttributeAsync("data-loop-status", "Registered");

        await loop.Locator("[data-testid=loop-step][data-action=Dispatch]").ClickAsync();
        await page.GetByTestId("step-input").FillAsync("市政养护一队");
        await page.GetByTestId("step-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-detail")).ToHaveAttributeAsync("data-status", "Dispatched");
        await Assertions.Expect(loop.Locator("[data-loop-status=Registered]")).ToHaveAttributeAsync("data-taken", "true");
        Assert.Equal(CaseStatus.Dispatched, (await twin.GetAsync<CaseRecord>($"/api/cases/{reported.CaseId}")).Status);
        Assert.Empty(await page.EvaluateAsync<string[]>(LayoutTests.Problems));
        await LiveTwin.ScreenshotAsync(page, "cases-loop");
    }

    [Fact]
    public async Task The_queue_filters_by_grid_category_and_step()
    {
        var reported = await ReportPatrolCaseAsync();
        var page = await twin.OpenAsync("/cases");
        var row = page.Locator($"[data-testid=case-queue] tr[data-case-id='{reported.CaseId}']");
        await Assertions.Expect(row).ToBeVisibleAsync();

        await page.GetByTestId("filter-category").SelectOptionAsync("0101");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await page.GetByTestId("filter-category").SelectOptionAsync("0301");
        await Assertions.Expect(row).ToBeVisibleAsync();

        await page.GetByTestId("filter-grid").FillAsync(reported.GridCode);
        await Assertions.Expect(row).ToBeVisibleAsync();
        await page.GetByTestId("filter-grid").FillAsync("no-such-grid");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await page.GetByTestId("filter-grid").FillAsync("");

        await page.GetByTestId("filter-status").SelectOptionAsync("Registered");
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await page.GetByTestId("filter-status").SelectOptionAsync("Reported");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await row.ClickAsync();
        await Assertions.Expect(page.GetByTestId("case-detail")).ToHaveAttributeAsync("data-case-id", reported.CaseId);
        await LiveTwin.ScreenshotAsync(page, "cases");
    }
}
