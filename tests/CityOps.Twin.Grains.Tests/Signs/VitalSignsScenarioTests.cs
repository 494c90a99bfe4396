using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Tests.Support;

namespace CityOps.Twin.Grains.Tests.Signs;

/// <summary>
/// A small city whose every fact is known: three grids under two streets of one district. The expected
/// indices are worked out here by hand from those facts and the documented weights, not by the calculator.
/// </summary>
public sealed class VitalSignsScenarioTests
{
    private static readonly GeoPoint Xuhui = new(121.437, 31.188);
    private static readonly IReadOnlyList<IReadOnlyList<GeoPoint>> NoOutline = [];

    private static async Task DefineTreeAsync(TwinSilo silo)
    {
        await silo.Grain<IAreaGrain>(IAreaGrain.CityCode).Define(new AreaDefinition(IAreaGrain.CityCode, "上海市", AreaLevel.City, null, NoOutline));
        await silo.Grain<IAreaGrain>("310104").Define(new AreaDefinition("310104", "徐汇区", AreaLevel.District, IAreaGrain.CityCode, NoOutline));
        await silo.Grain<IAreaGrain>("310104-S1").Define(new AreaDefinition("310104-S1", "漕河泾街道", AreaLevel.Street, "310104", NoOutline));
        await silo.Grain<IAreaGrain>("310104-S2").Define(new AreaDefinition("310104-S2", "龙华街道", AreaLevel.Street, "310104", NoOutline));
        foreach (var (grid, street) in new[] { ("G1", "310104-S1"), ("G2", "310104-S1"), ("G3", "310104-S2") })
        {
            await silo.Grain<IGridGrain>(grid).Define(new AreaDefinition(grid, $"网格 {grid}", AreaLevel.Grid, street, NoOutline, Team: "徐汇城运一组"));
        }
    }

    private static async Task SensorAsync(TwinSilo silo, string id, SensorKind kind, string grid, double value)
    {
        var sensor = silo.Grain<ISensorGrain>(id);
        await sensor.File(new SensorFile(id, kind, id, Xuhui, grid));
        await sensor.Record(new SensorReading(id, silo.Time.GetUtcNow(), value));
    }

    private static async Task<ICaseGrain> PatrolCaseAsync(TwinSilo silo, string id, params CaseStep[] steps)
    {
        var grain = silo.Grain<ICaseGrain>(id);
        await grain.Report(new NewCase($"井盖缺失 {id}", "patrol", "0301", CaseSource.Patrol, Xuhui, "G2", "巡查员"));
        foreach (var step in steps)
        {
            await grain.Act(step);
        }
        return grain;
    }

    private static readonly CaseStep Register = new(CaseAction.Register, "值班员");
    private static readonly CaseStep Dispatch = new(CaseAction.Dispatch, "值班员", Team: "养护一队");
    private static readonly CaseStep Handle = new(CaseAction.StartHandling, "养护一队");
    private static readonly CaseStep Feedback = new(CaseAction.GiveFeedback, "养护一队");
    private static readonly CaseStep Pass = new(CaseAction.PassCheck, "核查员");
    private static readonly CaseStep Fail = new(CaseAction.FailCheck, "核查员", Reason: "未修复");

    /// <summary>Publishes each level in turn and waits for its summaries to arrive above, as the timers would.</summary>
    private static async Task ReduceAsync(TwinSilo silo)
    {
        await silo.SettleAsync();
        foreach (var grid in new[] { "G1", "G2", "G3" })
        {
            await silo.Grain<IGridGrain>(grid).PublishNow();
        }
        foreach (var level in new[] { new[] { "310104-S1", "310104-S2" }, ["310104"] })
        {
            await silo.SettleAsync();
            foreach (var area in level)
            {
                await silo.Grain<IAreaGrain>(area).PublishNow();
            }
        }
        await silo.SettleAsync();
    }

    [Fact]
    public async Task Every_level_of_the_tree_shows_exactly_the_indices_its_facts_give()
    {
        await using var silo = await TwinSilo.StartAsync();
        await DefineTreeAsync(silo);

        // G1: four waterlogging points at none, blue, orange and red; hydrogen sulphide at yellow; people trapped in a lift.
        await SensorAsync(silo, "water-none", SensorKind.Waterlogging, "G1", 3);
        await SensorAsync(silo, "water-blue", SensorKind.Waterlogging, "G1", 12);
        await SensorAsync(silo, "water-orange", SensorKind.Waterlogging, "G1", 27);
        await SensorAsync(silo, "water-red", SensorKind.Waterlogging, "G1", 45);
        await SensorAsync(silo, "gas-yellow", SensorKind.HazardousGas, "G1", 12);
        var trapped = silo.Grain<IElevatorGrain>("lift-trapped");
        await trapped.File(new ElevatorFile("lift-trapped", "漕溪北路 88 号", "漕溪北路 88 号", Xuhui, "G1", "迅达", new DateOnly(2026, 6, 1), new DateOnly(2026, 8, 1)));
        await trapped.SetStatus(ElevatorStatus.Trapped, silo.Time.GetUtcNow(), "96333");

        // G2: two cameras, one offline; a lift in maintenance; three patrol cases.
        foreach (var camera in new[] { "cam-on", "cam-off" })
        {
            await silo.Grain<ICameraGrain>(camera).File(new CameraFile(camera, camera, Xuhui, "G2"));
        }
        await silo.Grain<ICameraGrain>("cam-off").SetOnline(false, silo.Time.GetUtcNow());
        var maintained = silo.Grain<IElevatorGrain>("lift-maint");
        await maintained.File(new ElevatorFile("lift-maint", "宜山路 900 号", "宜山路 900 号", Xuhui, "G2", "奥的斯", new DateOnly(2026, 6, 1), new DateOnly(2026, 8, 1)));
        await maintained.SetStatus(ElevatorStatus.Maintenance, silo.Time.GetUtcNow(), "维保");
        await PatrolCaseAsync(silo, "P1", Register, Dispatch, Handle, Feedback, Pass);
        await PatrolCaseAsync(silo, "P2", Register, Dispatch, Handle, Feedback, Fail, Handle, Feedback, Pass);
        await PatrolCaseAsync(silo, "P3", Register, Dispatch);

        // G3: a river gauge at normal level and a bridge crack at red.
        await SensorAsync(silo, "river-ok", SensorKind.RiverLevel, "G3", 2.9);
        await SensorAsync(silo, "crack-red", SensorKind.BridgeCrack, "G3", 1.2);

        // Five hours on: P3's 240-minute disposal has run out, and no alarm case has been registered in time.
        await silo.AdvanceAsync(TimeSpan.FromHours(5));
        await ReduceAsync(silo);

        // Worked by hand. Severities: blue 0.25, yellow 0.5, orange 0.75, red 1, trapped 1, maintenance 0.25, offline 1.
        const double flood = 100 * (1 - (0 + 0.25 + 0.75 + 1.0 + 0) / 5);          // 4 waterlogging points + the river gauge
        const double safety = 100 * (1 - (0.5 + 1.0 + 0 + 1.0) / 4);              // gas, trapped lift, maintained lift, crack
        const double infrastructure = 100 * (1 - (1.0 + 0.25) / 11);              // offline camera, maintained lift; 11 devices
        // Steps with a deadline: P1's four and P2's six taken on time, P3's two on time and its disposal late, and the
        // six alarm cases' registration late. Due to close: P1 and P2 closed, P3 and the six alarm cases overdue.
        const double onTime = 12.0 / 19, closure = 2.0 / 9, rework = 1.0 / 9;
        const double caseHandling = 100 * (0.4 * onTime + 0.4 * closure + 0.2 * (1 - rework));
        const double composite = 0.3 * flood + 0.3 * safety + 0.2 * infrastructure + 0.2 * caseHandling;

        var city = await silo.Grain<IAreaGrain>(IAreaGrain.CityCode).GetVitalSigns();
        Assert.Equal(60, flood, 9);
        Assert.Equal(flood, city.Flood, 9);
        Assert.Equal(safety, city.Safety, 9);
        Assert.Equal(infrastructure, city.Infrastructure, 9);
        Assert.Equal(caseHandling, city.CaseHandling, 9);
        Assert.Equal(composite, city.Composite, 9);
        // Open: six alarm cases (four sensors, the lift, the crack) and P3, all overdue.
        Assert.Equal(new CaseIndicators(onTime, closure, rework, Overdue: 7, Backlog: 7), city.Cases);

        var district = await silo.Grain<IAreaGrain>("310104").GetVitalSigns();
        Assert.Equal(city with { Code = "310104", Name = "徐汇区", Level = AreaLevel.District, Reasons = district.Reasons, At = district.At }, district);

        var g1 = await silo.Grain<IGridGrain>("G1").GetVitalSigns();
        Assert.Equal(100 * (1 - 2.0 / 4), g1.Flood, 9);
        Assert.Equal(["water-red", "water-orange", "water-blue"], g1.Reasons.Flood.Select(r => r.Id));
        Assert.Equal(["lift-trapped", "gas-yellow"], g1.Reasons.Safety.Select(r => r.Id));
        var g2 = await silo.Grain<IGridGrain>("G2").GetVitalSigns();
        Assert.Equal(100 * (1 - 1.25 / 3), g2.Infrastructure, 9);
        Assert.Equal(["cam-off", "lift-maint"], g2.Reasons.Infrastructure.Select(r => r.Id));
        Assert.Equal(["P2", "P3"], g2.Reasons.CaseHandling.Select(r => r.Id).Order());

        // Drilling down: the city's flood reason is Xuhui, Xuhui's is the street with G1, and its children list both streets.
        Assert.Equal([("310104", 2.0)], city.Reasons.Flood.Select(r => (r.Id, r.Weight)));
        Assert.Equal("310104-S1", district.Reasons.Flood.Single().Id);
        Assert.Equal(["310104-S1", "310104-S2"], (await silo.Grain<IAreaGrain>("310104").GetChildren()).Select(c => c.Code));
        Assert.Equal(["G1", "G2"], (await silo.Grain<IAreaGrain>("310104-S1").GetChildren()).Select(c => c.Code));
    }

    [Fact]
    public async Task Cases_nobody_acts_on_pull_case_handling_down_once_overdue_and_every_level_names_them()
    {
        await using var silo = await TwinSilo.StartAsync();
        await DefineTreeAsync(silo);
        foreach (var id in new[] { "N1", "N2", "N3" })
        {
            await silo.Grain<ICaseGrain>(id).Report(new NewCase($"井盖缺失 {id}", "12345", "0301", CaseSource.Hotline12345, Xuhui, "G1", "热线"));
        }
        var dispatched = silo.Grain<ICaseGrain>("D1");
        await dispatched.Report(new NewCase("井盖缺失 D1", "patrol", "0301", CaseSource.Patrol, Xuhui, "G3", "巡查员"));
        await dispatched.Act(Register);
        await dispatched.Act(Dispatch);
        await ReduceAsync(silo);
        Assert.Equal(100, (await silo.Grain<IAreaGrain>(IAreaGrain.CityCode).GetVitalSigns()).CaseHandling, 9);

        // An hour on: the three reports' 15 minutes to register are long gone; D1 has its 240 minutes to dispose.
        await silo.AdvanceAsync(TimeSpan.FromHours(1));
        await ReduceAsync(silo);

        var g1 = await silo.Grain<IGridGrain>("G1").GetVitalSigns();
        Assert.Equal(100 * (0.4 * 0 + 0.4 * 0 + 0.2 * 1), g1.CaseHandling, 9);
        Assert.Equal(100, (await silo.Grain<IGridGrain>("G3").GetVitalSigns()).CaseHandling, 9);
        var city = await silo.Grain<IAreaGrain>(IAreaGrain.CityCode).GetVitalSigns();
        // D1's registration and dispatch on time, the three registrations late; none of the three closed.
        Assert.Equal(100 * (0.4 * 2.0 / 5 + 0.4 * 0 + 0.2 * 1), city.CaseHandling, 9);
        Assert.Equal(new CaseIndicators(2.0 / 5, 0, 0, Overdue: 3, Backlog: 4), city.Cases);
        foreach (var area in new[] { g1, await silo.Grain<IAreaGrain>("310104-S1").GetVitalSigns(), city })
        {
            Assert.Equal(["N1", "N2", "N3"], area.Reasons.CaseHandling.Select(r => r.Id));
            Assert.Equal("井盖缺失 N1", area.Reasons.CaseHandling[0].Name);
        }
    }

    [Fact]
    public async Task Without_anyone_asking_a_change_climbs_the_tree_on_the_timers()
    {
        await using var silo = await TwinSilo.StartAsync();
        await DefineTreeAsync(silo);
        await SensorAsync(silo, "tide", SensorKind.Tide, "G3", 5.0);

        // Each level passes the change up on its next tick: grid, street, district; by the fourth the city has it.
        await silo.AdvanceAsync(TimeSpan.FromMilliseconds(400));

        var city = await silo.Grain<IAreaGrain>(IAreaGrain.CityCode).GetVitalSigns();
        Assert.Equal(100 * (1 - 0.5), city.Flood, 9);
        Assert.Equal("310104", city.Reasons.Flood.Single().Id);
    }
}
