using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Tests.Storage;
using CityOps.Twin.Tests.Shared;

namespace CityOps.Twin.Silo.Tests.Drills;

/// <summary>
/// A drill played by people through the drill's API: the controller starts it with the commander and the operators
/// played by people (so the scenario's scripted players stay silent), pauses it at the moments that matter, and the
/// people act in the drill's city. Their actions meet the expected actions as a scripted player's would, measured on
/// the drill clock, and none of it reaches the live city, even when an action names a live case.
/// </summary>
public sealed class PlayedDrillTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = DemoSiloFixture.Json;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly SiloFactory _silo = new(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("Simulation:ReadingsPerSecond", "0"));
    private HttpClient _controller = null!;
    private HttpClient _commander = null!;
    private HttpClient _operator = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        await _silo.WhenCityFiledAsync();
        _controller = await _silo.SignedInAsAsync("导调员甲", TwinRole.DrillController);
        _commander = await _silo.SignedInAsAsync("指挥长乙", TwinRole.Commander);
        _operator = await _silo.SignedInAsAsync("值班员丙", TwinRole.Operator);
        _admin = await _silo.SignedInAsAsync("管理员丁", TwinRole.Admin);
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    private async Task<DrillStatus> StatusAsync() => (await _controller.GetFromJsonAsync<DrillStatus>("/api/drills/current", Json))!;

    /// <summary>Runs the drill at 60x until its clock has passed the minute, then pauses it; returns the minute it stands at.</summary>
    private async Task<TimeSpan> RunToAndPauseAsync(int minute)
    {
        (await _controller.PostAsJsonAsync("/api/drills/speed", new { speed = 60 })).EnsureSuccessStatusCode();
        (await _controller.PostAsync("/api/drills/resume", null)).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(async () => (await StatusAsync()).Elapsed >= TimeSpan.FromMinutes(minute), Patience, $"the drill clock passes {minute} min");
        (await _controller.PostAsync("/api/drills/pause", null)).EnsureSuccessStatusCode();
        var paused = await StatusAsync();
        Assert.True(paused.Paused);
        return paused.Elapsed;
    }

    [Fact]
    public async Task People_meet_the_expected_actions_in_the_drills_city_on_the_drill_clock_and_the_live_city_is_untouched()
    {
        // A live case, and the live city's audit log as it stands.
        var live = await (await _operator.PostAsJsonAsync("/api/cases", new { title = "实时案件", description = "井盖缺失", categoryCode = "0101", longitude = 121.5847, latitude = 31.2025 }))
            .Content.ReadFromJsonAsync<CaseRecord>(Json);
        var auditBefore = await _admin.GetFromJsonAsync<List<AuditEntry>>("/api/admin/audit?count=1000", Json);

        var start = await _controller.PostAsJsonAsync("/api/drills/start", new { scenario = "rainstorm-drill.yaml", speed = 10, people = new[] { "Commander", "Operator" } });
        Assert.Equal(HttpStatusCode.NoContent, start.StatusCode);
        await Eventually.TrueAsync(async () => (await StatusAsync()).State == "running", Patience, "the drill's city is filed and the drill runs");
        Assert.Equal(new DrillPlayers(true, true), (await StatusAsync()).Players);

        // Flooding starts at 10 min (switch to III expected within 10 min); three drill minutes on, the commander switches the drill's city.
        var switchedAt = await RunToAndPauseAsync(13);
        var switched = await _commander.PostAsJsonAsync("/api/drills/current/city/mode/switch",
            new ModeSwitch(OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, [], "someone else", "张江积水点水深超标"), Json);
        switched.EnsureSuccessStatusCode();
        Assert.Equal("指挥长乙", (await switched.Content.ReadFromJsonAsync<ModeChange>(Json))!.To.ChangedBy);

        // The lift traps people at 30 min (dispatch expected within 5 min of its case); two drill minutes on, the operator works the drill's case.
        var dispatchedAt = await RunToAndPauseAsync(32);
        var drillCases = await _operator.GetFromJsonAsync<List<CaseRecord>>("/api/drills/current/city/cases", Json);
        var lift = Assert.Single(drillCases!, c => c.CaseId.StartsWith("E-ELV-00007-", StringComparison.Ordinal));
        Assert.DoesNotContain(drillCases!, c => c.CaseId == live!.CaseId);
        (await _operator.PostAsJsonAsync($"/api/drills/current/city/cases/{lift.CaseId}/register", new { })).EnsureSuccessStatusCode();
        (await _operator.PostAsJsonAsync($"/api/drills/current/city/cases/{lift.CaseId}/dispatch", new { team = "电梯维保应急组" })).EnsureSuccessStatusCode();

        // Forced: a live case's id sent to the drill's city is refused, and the live case does not move.
        var forced = await _operator.PostAsJsonAsync($"/api/drills/current/city/cases/{live!.CaseId}/register", new { });
        Assert.Equal(HttpStatusCode.NotFound, forced.StatusCode);
        Assert.Contains($"There is no case '{live.CaseId}' in the drill's city", await forced.Content.ReadAsStringAsync());
        // Without the right role, refused as in the live city.
        Assert.Equal(HttpStatusCode.Forbidden, (await _commander.PostAsJsonAsync($"/api/drills/current/city/cases/{lift.CaseId}/start-handling", new { })).StatusCode);

        // The drill hears its city's changes through its feed, as the live view does: the evaluation follows at once.
        await Eventually.TrueAsync(async () => (await StatusAsync()).Expected.All(e => e.Met), TimeSpan.FromSeconds(10), "both expected actions are met");
        var evaluated = (await StatusAsync()).Expected;
        var switchExpected = Assert.Single(evaluated, e => e.Id == "switch-to-III");
        Assert.True(switchExpected.Met, switchExpected.Detail);
        Assert.Equal("指挥长乙", switchExpected.By);
        Assert.Equal(switchedAt - TimeSpan.FromMinutes(10), switchExpected.Delay);
        var dispatchExpected = Assert.Single(evaluated, e => e.Id == "dispatch-lift");
        Assert.True(dispatchExpected.Met, dispatchExpected.Detail);
        Assert.Equal("值班员丙", dispatchExpected.By);
        Assert.Equal(dispatchedAt - TimeSpan.FromMinutes(30), dispatchExpected.Delay);

        // To the end at 600x: the report names the people; the scripted commander and operator never acted.
        (await _controller.PostAsJsonAsync("/api/drills/speed", new { speed = 600 })).EnsureSuccessStatusCode();
        (await _controller.PostAsync("/api/drills/resume", null)).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(async () => (await StatusAsync()).Finished, Patience, "the drill ends");
        var report = await _controller.GetStringAsync("/api/drills/report.html");
        Assert.Matches("data-expected=\"switch-to-III\" data-met=\"true\".*?<td class=\"by\">指挥长乙</td>", report);
        Assert.Matches("data-expected=\"dispatch-lift\" data-met=\"true\".*?<td class=\"by\">值班员丙</td>", report);
        Assert.DoesNotContain(">指挥长</td>", report);
        Assert.DoesNotContain("值班员: ", report);

        // The live city: still normal, its case as reported, and no case or mode line in its audit log since.
        var mode = await _admin.GetFromJsonAsync<CityMode>("/api/mode", Json);
        Assert.Equal(OperatingMode.Normal, mode!.Operating);
        var liveNow = await _operator.GetFromJsonAsync<CaseRecord>($"/api/cases/{live.CaseId}", Json);
        Assert.Equal(CaseStatus.Reported, liveNow!.Status);
        Assert.Equal(live.Timeline.Count, liveNow.Timeline.Count);
        var auditAfter = await _admin.GetFromJsonAsync<List<AuditEntry>>("/api/admin/audit?count=1000", Json);
        var since = auditAfter!.Where(a => a.Sequence > auditBefore!.Max(b => b.Sequence)).Select(a => a.Record).ToList();
        Assert.DoesNotContain(since, a => a.Action.StartsWith("case.", StringComparison.Ordinal) || a.Action.StartsWith("mode.", StringComparison.Ordinal));
        Assert.Contains(since, a => a is { Action: "drill.start", Actor: "导调员甲" });
    }

    [Fact]
    public async Task Acting_in_the_drills_city_when_no_drill_runs_is_refused_saying_so()
    {
        var response = await _operator.PostAsJsonAsync("/api/drills/current/city/cases/C-1/register", new { });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("No drill is running", await response.Content.ReadAsStringAsync());
        var people = await _controller.PostAsJsonAsync("/api/drills/start", new { scenario = "rainstorm-drill.yaml", speed = 10, people = new[] { "Mayor" } });
        Assert.Equal(HttpStatusCode.BadRequest, people.StatusCode);
        Assert.Contains("'Mayor' is not a role people can play in a drill", await people.Content.ReadAsStringAsync());
    }
}
