using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Grains.Tests.Contracts;

/// <summary>
/// One realistic value of every record and value type that crosses a grain call: Chinese text, Shanghai time, nulls,
/// NaN where a value may carry it (a position a grain must still see to refuse), empty and nested lists, and lists
/// built the way the grains build them (collection expressions, whose runtime types the compiler makes up).
/// </summary>
internal static class ContractSamples
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private static readonly DateTimeOffset Morning = new(2026, 11, 30, 8, 15, 30, 123, Shanghai);

    private static readonly GeoPoint PeopleSquare = new(121.473701, 31.230416);

    private static readonly SensorFile Gauge = new("WL-00200", SensorKind.Waterlogging, "浦东大道积水点", new GeoPoint(121.5245, 31.2389), "310115-zhangjiang-188");

    private static readonly SensorThresholds WaterloggingRules = new("cm", 15, 25, 40, 50, 2, -1, double.PositiveInfinity);

    private static readonly CaseTimelineEntry Reported = new(Morning, "张伟", "上报 Reported", null, CaseStatus.Reported, "徐汇区漕溪北路积水约 30 厘米");

    private static readonly CaseRecord Case = new(
        "H-20261130-0001", "漕溪北路积水", "徐汇区漕溪北路积水约 30 厘米，车辆缓行", "0301", CaseUrgency.Urgent, CaseSource.Hotline12345,
        PeopleSquare, "310104-xujiahui-007", "BOS-101004122", CaseStatus.Dispatched, Morning, "徐汇排水所", Morning.AddMinutes(30), false,
        Morning.AddHours(4), null, false, 1, null,
        [Reported, new CaseTimelineEntry(Morning.AddMinutes(5), "李娜", "派遣 Dispatched", CaseStatus.Registered, CaseStatus.Dispatched, "徐汇排水所")]);

    private static readonly CityMode Emergency = new(OperatingMode.Emergency, EmergencyKind.Typhoon, ResponseLevel.III, ["310115", "310104"], Morning, "王指挥");

    private static readonly AreaDefinition Grid = new(
        "310115-zhangjiang-188", "张江镇 第188网格", AreaLevel.Grid, "310115-zhangjiang",
        [[new(121.60, 31.20), new(121.61, 31.20), new(121.61, 31.21), new(121.60, 31.20)], []], "张江城运分中心");

    private static readonly AreaCounters Counters = new(12, 3.5, 4, 0.75, 40, 1.25, 7, 2, 30, 31, 25, 23, 1);

    private static readonly IndexReasons Reasons = new(
        [new Contributor("WL-00200", "浦东大道积水点", 0.62), new Contributor("WL-00201", "世纪大道积水点", 0.21)],
        [], new List<Contributor> { new("EL-0042", "陆家嘴1号楼 3号梯", 0.4) }, new[] { new Contributor("H-20261130-0001", "漕溪北路积水", 0.1) });

    private static readonly ElevatorFile Lift = new(
        "EL-0042", "陆家嘴1号楼", "浦东新区世纪大道100号", new GeoPoint(121.5055, 31.2358), "310115-lujiazui-012", "上海三菱电梯维保",
        new DateOnly(2026, 11, 2), new DateOnly(2026, 12, 2));

    /// <summary>One of each exception a grain throws, as it throws them.</summary>
    public static IReadOnlyList<Exception> Exceptions { get; } =
    [
        new CaseTransitionException(Case.CaseId, CaseStatus.Closed, CaseAction.Dispatch, CaseLifecycle.AllowedFrom(CaseStatus.Closed)),
        new CaseInputException("派遣需要处置队伍 (a dispatch needs a team)."),
        new ModeSwitchException("Mode switch refused: '310999' is not a district of the city."),
        new TwinNotDurableException("案件未能保存：数据库不可达。The step was not taken; try again.", new TimeoutException("database is locked")),
    ];

    /// <summary>Every sample, keyed by the type a grain interface or stream declares it as.</summary>
    public static IReadOnlyDictionary<Type, object> ByType { get; } = new Dictionary<Type, object>
    {
        [typeof(GeoPoint)] = PeopleSquare,
        [typeof(NewCase)] = new NewCase("电梯困人", "陆家嘴1号楼 3号梯困人 2 名", "0710", CaseSource.Elevator, PeopleSquare, "310115-lujiazui-012", "system"),
        [typeof(CaseStep)] = new CaseStep(CaseAction.FailCheck, "赵敏", Reason: "现场仍有积水，返工"),
        [typeof(CaseTimelineEntry)] = Reported,
        [typeof(CaseRecord)] = Case,
        [typeof(CameraFile)] = new CameraFile("CAM-3101-0007", "人民广场东", new GeoPoint(double.NaN, double.NaN), "310101-renmin-001"),
        [typeof(CameraDetection)] = new CameraDetection(DetectionKind.FloatingDebris, Morning, 0.87),
        [typeof(CameraSnapshot)] = new CameraSnapshot(
            new CameraFile("CAM-3101-0008", "南京东路步行街", PeopleSquare, "310101-nanjing-002"), true, Morning,
            [new CameraDetection(DetectionKind.Waterlogging, Morning, 0.93), new CameraDetection(DetectionKind.MuckTruck, Morning.AddSeconds(40), 0.61)]),
        [typeof(ElevatorFile)] = Lift,
        [typeof(ElevatorSnapshot)] = new ElevatorSnapshot(Lift, ElevatorStatus.Trapped, Morning, 3, "E-EL-0042-0003"),
        [typeof(DeviceState)] = new DeviceState("EL-0042", DeviceKind.Elevator, "陆家嘴1号楼 3号梯", "310115-lujiazui-012", Lift.Position, null, AlarmLevel.None, true, ElevatorStatus.Fault, Morning),
        [typeof(CityMode)] = Emergency,
        [typeof(ModeSwitch)] = new ModeSwitch(OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.II, new List<string> { "310115" }, "王指挥", "台风“烟花”外围降雨，黄浦江潮位超警"),
        [typeof(ModeChange)] = new ModeChange(CityMode.Normal(Morning.AddDays(-3), "system"), Emergency, "防汛防台三级响应", Morning),
        [typeof(SensorReading)] = new SensorReading("WL-00200", Morning, 31.5),
        [typeof(SensorFile)] = Gauge,
        [typeof(SensorSnapshot)] = new SensorSnapshot(
            Gauge, null, null, AlarmLevel.Yellow, 2, "S-WL-00200-0002", double.NaN,
            [new SensorReading("WL-00200", Morning, 26), new SensorReading("WL-00200", Morning.AddMinutes(1), -0.0)], WaterloggingRules),
        [typeof(SensorThresholds)] = WaterloggingRules,
        [typeof(SensorAlarmChanged)] = new SensorAlarmChanged("WL-00200", SensorKind.Waterlogging, Gauge.GridCode, AlarmLevel.Blue, AlarmLevel.Orange, 41.2, Morning),
        [typeof(AreaCounters)] = Counters,
        [typeof(AreaDefinition)] = Grid,
        [typeof(Contributor)] = new Contributor("310115", "浦东新区", double.Epsilon),
        [typeof(IndexReasons)] = Reasons,
        [typeof(AreaSummary)] = new AreaSummary(Grid, Counters, IndexReasons.None, Morning),
        [typeof(CaseIndicators)] = new CaseIndicators(0.9359, 0.9768, 0.0496, 3, 17),
        [typeof(VitalSigns)] = new VitalSigns(
            "310115", "浦东新区", AreaLevel.District, 71.5, 88, 93.25, 64, 79.1, new CaseIndicators(double.NaN, 1, 0, 0, 0), Counters, Reasons, Morning),
        [typeof(VitalSignsSample)] = new VitalSignsSample(Morning, 71.5, 88, 93.25, 64, 79.1),
    };
}
