using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Tests.Support;

namespace CityOps.Twin.Grains.Tests.Mode;

public sealed class ModeSwitchTests
{
    private static readonly GeoPoint Xuhui = new(121.437, 31.188);
    private static readonly ModeSwitch FloodIII = new(OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, [], "指挥长", "暴雨红色预警，黄浦江高潮位");

    [Theory]
    [InlineData(OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, "指挥长", "", "needs its reason")]
    [InlineData(OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, " ", "暴雨", "needs the name of the commander")]
    [InlineData(OperatingMode.Emergency, null, ResponseLevel.III, "指挥长", "暴雨", "needs its kind")]
    [InlineData(OperatingMode.Emergency, EmergencyKind.Flood, null, "指挥长", "暴雨", "response level from IV to I")]
    [InlineData(OperatingMode.Emergency, EmergencyKind.Flood, (ResponseLevel)7, "指挥长", "暴雨", "response level from IV to I")]
    [InlineData(OperatingMode.Normal, EmergencyKind.Flood, null, "指挥长", "解除", "normal operations have no kind")]
    [InlineData(OperatingMode.Normal, null, null, "指挥长", "解除", "already in that mode")]
    public async Task A_switch_without_what_it_needs_is_refused_and_changes_nothing(OperatingMode to, EmergencyKind? kind, ResponseLevel? level, string by, string reason, string message)
    {
        await using var silo = await TwinSilo.StartAsync();
        var mode = silo.Grain<ICityModeGrain>(ICityModeGrain.CityKey);

        var refused = await Assert.ThrowsAsync<ModeSwitchException>(() => mode.Switch(new ModeSwitch(to, kind, level, [], by, reason), []));

        Assert.Contains(message, refused.Message);
        Assert.False((await mode.GetMode()).IsEmergency);
        Assert.Empty(await mode.GetHistory());
    }

    [Fact]
    public async Task Every_switch_is_audited_with_who_when_why_and_from_what_to_what_and_survives_a_restart()
    {
        var store = TwinStore.NewSqlite();
        await using (var silo = await TwinSilo.StartAsync(store))
        {
            var mode = silo.Grain<ICityModeGrain>(ICityModeGrain.CityKey);
            await mode.Switch(FloodIII, []);
            await silo.AdvanceAsync(TimeSpan.FromHours(5));
            await mode.Switch(ModeSwitch.ToNormal("值班长", "雨停，水位回落"), []);
        }

        await using var restarted = await TwinSilo.StartAsync(store);
        var history = await restarted.Grain<ICityModeGrain>(ICityModeGrain.CityKey).GetHistory();
        Assert.Equal(2, history.Count);
        Assert.Equal((OperatingMode.Normal, OperatingMode.Emergency), (history[0].From.Operating, history[0].To.Operating));
        Assert.Equal((EmergencyKind.Flood, ResponseLevel.III, "指挥长"), (history[0].To.Kind!.Value, history[0].To.Level!.Value, history[0].To.ChangedBy));
        Assert.Equal("暴雨红色预警，黄浦江高潮位", history[0].Reason);
        Assert.Equal((OperatingMode.Emergency, OperatingMode.Normal, "值班长"), (history[1].From.Operating, history[1].To.Operating, history[1].To.ChangedBy));
        Assert.Equal(TimeSpan.FromHours(5), history[1].At - history[0].At);
        Assert.False((await restarted.Grain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode()).IsEmergency);
    }

    [Fact]
    public async Task An_emergency_for_chosen_districts_covers_exactly_their_grids()
    {
        await using var silo = await TwinSilo.StartAsync();
        var mode = silo.Grain<ICityModeGrain>(ICityModeGrain.CityKey);
        await mode.Switch(FloodIII with { Districts = ["310115"] }, ["G1", "G2"]);

        Assert.Equal(OperatingMode.Emergency, await mode.GetModeFor("G1"));
        Assert.Equal(OperatingMode.Emergency, await mode.GetModeFor("G2"));
        Assert.Equal(OperatingMode.Normal, await mode.GetModeFor("G3"));
        Assert.Equal(["310115"], (await mode.GetMode()).Districts);
    }

    [Fact]
    public async Task A_sensor_told_of_an_emergency_judges_its_latest_value_by_the_emergency_thresholds_and_back()
    {
        await using var silo = await TwinSilo.StartAsync();
        var rules = SensorRulebook.Default;
        var normal = rules.For(SensorKind.Waterlogging, OperatingMode.Normal);
        var emergency = rules.For(SensorKind.Waterlogging, OperatingMode.Emergency);
        var sensor = silo.Grain<ISensorGrain>("W1");
        await sensor.File(new SensorFile("W1", SensorKind.Waterlogging, "积水点 W1", Xuhui, "G1"));
        // Between the emergency's blue and the normal blue: no alarm in normal times, a blue one in a flood emergency.
        var depth = (emergency.Blue + Math.Min(normal.Blue, emergency.Yellow)) / 2;
        Assert.True(depth >= emergency.Blue && depth < normal.Blue && depth < emergency.Yellow, $"{depth} must lie between the rulebooks' levels");
        await sensor.Record(new SensorReading("W1", silo.Time.GetUtcNow(), depth));
        Assert.Equal(AlarmLevel.None, (await sensor.GetSnapshot())!.Level);

        await sensor.ApplyMode(OperatingMode.Emergency);
        var flooded = (await sensor.GetSnapshot())!;
        Assert.Equal(AlarmLevel.Blue, flooded.Level);
        Assert.Equal(emergency, flooded.Thresholds);
        Assert.NotNull(flooded.OpenCaseId);

        await sensor.ApplyMode(OperatingMode.Normal);
        var calm = (await sensor.GetSnapshot())!;
        Assert.Equal(AlarmLevel.None, calm.Level);
        Assert.Equal(normal, calm.Thresholds);
    }

    [Fact]
    public async Task A_sensor_activated_during_an_emergency_reads_the_rules_of_its_grid()
    {
        await using var silo = await TwinSilo.StartAsync(feed: true);
        await silo.SwitchModeAsync(FloodIII with { Districts = ["310115"] }, ["G1"]);
        foreach (var (id, grid) in new[] { ("W1", "G1"), ("W2", "G2") })
        {
            await silo.Grain<ISensorGrain>(id).File(new SensorFile(id, SensorKind.Waterlogging, id, Xuhui, grid));
        }

        Assert.Equal(SensorRulebook.Default.For(SensorKind.Waterlogging, OperatingMode.Emergency), (await silo.Grain<ISensorGrain>("W1").GetSnapshot())!.Thresholds);
        Assert.Equal(SensorRulebook.Default.For(SensorKind.Waterlogging, OperatingMode.Normal), (await silo.Grain<ISensorGrain>("W2").GetSnapshot())!.Thresholds);
    }

    [Fact]
    public async Task A_case_reported_in_an_emergency_gets_the_emergency_deadlines_of_its_category_and_the_normal_ones_after()
    {
        await using var silo = await TwinSilo.StartAsync(feed: true);
        var category = Grains.Cases.CaseCategoryCatalogue.Default.Get("0401");
        await silo.SwitchModeAsync(FloodIII, []);
        var during = await silo.Grain<ICaseGrain>("C1").Report(new NewCase("积水", "路面积水", "0401", CaseSource.Patrol, Xuhui, "G1", "巡查员"));
        await silo.SwitchModeAsync(ModeSwitch.ToNormal("指挥长", "解除"), []);
        var after = await silo.Grain<ICaseGrain>("C2").Report(new NewCase("积水", "路面积水", "0401", CaseSource.Patrol, Xuhui, "G1", "巡查员"));

        Assert.Equal(during.ReportedAt.AddMinutes(category.Emergency.Register), during.StepDueAt);
        Assert.Equal(after.ReportedAt.AddMinutes(category.Normal.Register), after.StepDueAt);
        Assert.Equal(during.Timeline, (await silo.Grain<ICaseGrain>("C1").Get())!.Timeline);
    }
}
