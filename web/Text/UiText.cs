using System.Globalization;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Web.Signs;

namespace CityOps.Twin.Web.Text;

/// <summary>
/// The view's words. Components write the Chinese text, which is the default, and read it through this indexer;
/// in English it is looked up in <see cref="EnglishCatalogue"/>. A test checks every text a page uses is there.
/// </summary>
public sealed partial class UiText
{
    public static readonly UiText Chinese = new(false);
    public static readonly UiText EnglishText = new(true);

    /// <summary>Times are shown in Shanghai's time.</summary>
    public static readonly TimeSpan CityOffset = TimeSpan.FromHours(8);

    private UiText(bool english) => English = english;

    public bool English { get; }

    public string Code => English ? "en" : "zh-Hans";

    public string this[string chinese] => English && EnglishCatalogue.Texts.TryGetValue(chinese, out var english) ? english : chinese;

    /// <summary>The half of a catalogue's "中文 English" name in the view's language.</summary>
    public string Bilingual(string name)
    {
        var space = name.IndexOf(' ');
        return space < 0 ? name : English ? name[(space + 1)..] : name[..space];
    }

    /// <summary>
    /// A name in the city (an area, a device, a building) in the view's language: in English each word the catalogue
    /// has a name for (a device kind's label, a street, a district) is given in English, "第12网格" as "grid 12" and
    /// "243号楼 4号梯" as "building 243 lift 4"; a word with no English (a maintainer, an address) stays as it is.
    /// </summary>
    public string Name(string name)
    {
        if (!English || string.IsNullOrEmpty(name))
        {
            return name;
        }
        return string.Join(' ', name.Split(' ').Select(word =>
            EnglishCatalogue.Names.TryGetValue(word, out var english) ? english
            : GridNumber().Match(word) is { Success: true } grid ? $"grid {grid.Groups[1].Value}"
            : BuildingNumber().Match(word) is { Success: true } building ? $"building {building.Groups[1].Value}"
            : LiftNumber().Match(word) is { Success: true } lift ? $"lift {lift.Groups[1].Value}"
            : word));
    }

    /// <summary>
    /// A case's title in the view's language: titles the twin writes are "category (中文 English): subject", of which
    /// the category's half in the view's language is shown and the subject as a name; a title people wrote stays theirs.
    /// </summary>
    public string CaseTitle(string title)
    {
        var colon = title.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? Name(title) : $"{Bilingual(title[..colon])}: {Name(title[(colon + 2)..])}";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^第(\d+)网格$")]
    private static partial System.Text.RegularExpressions.Regex GridNumber();

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\d+)号楼$")]
    private static partial System.Text.RegularExpressions.Regex BuildingNumber();

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\d+)号梯$")]
    private static partial System.Text.RegularExpressions.Regex LiftNumber();

    public string Time(DateTimeOffset? at) => at is { } t ? t.ToOffset(CityOffset).ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "—";

    public string Number(double value, int decimals = 1) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>A countdown to a deadline, or how long ago it passed.</summary>
    public string Countdown(DateTimeOffset? due, DateTimeOffset now)
    {
        if (due is not { } deadline)
        {
            return "—";
        }
        var left = deadline - now;
        var span = left.Duration();
        var text = span.TotalHours >= 24 ? $"{(int)span.TotalDays}d {span.Hours:D2}h"
            : $"{(int)span.TotalHours:D2}:{span.Minutes:D2}:{span.Seconds:D2}";
        return left >= TimeSpan.Zero ? text : $"{this["超时"]} {text}";
    }

    public string Role(TwinRole role) => this[role switch
    {
        TwinRole.Leader => "领导",
        TwinRole.Operator => "值班员",
        TwinRole.Commander => "指挥长",
        TwinRole.DrillController => "导调员",
        _ => "管理员",
    }];

    public string Status(CaseStatus status) => this[status switch
    {
        CaseStatus.Reported => "待立案",
        CaseStatus.Registered => "已立案",
        CaseStatus.Cancelled => "已作废",
        CaseStatus.Dispatched => "已派遣",
        CaseStatus.Handling => "处置中",
        CaseStatus.Feedback => "待核查",
        CaseStatus.Closed => "已结案",
        CaseStatus.Evaluated => "已评价",
        _ => status.ToString(),
    }];

    public string Action(CaseAction action) => this[action switch
    {
        CaseAction.Register => "立案",
        CaseAction.Cancel => "作废",
        CaseAction.Dispatch => "派遣",
        CaseAction.StartHandling => "开始处置",
        CaseAction.GiveFeedback => "处置反馈",
        CaseAction.PassCheck => "核查通过",
        CaseAction.FailCheck => "核查不通过",
        CaseAction.Evaluate => "评价",
        _ => action.ToString(),
    }];

    public string Urgency(CaseUrgency urgency) => this[urgency switch
    {
        CaseUrgency.Critical => "特急",
        CaseUrgency.Urgent => "紧急",
        _ => "一般",
    }];

    public string Source(CaseSource source) => this[source switch
    {
        CaseSource.Patrol => "巡查上报",
        CaseSource.Hotline12345 => "12345热线",
        CaseSource.Police110 => "110联动",
        CaseSource.Sensor => "物联感知",
        CaseSource.CameraAi => "视频AI",
        CaseSource.Elevator => "电梯监测",
        _ => source.ToString(),
    }];

    public string Level(AlarmLevel level) => this[level switch
    {
        AlarmLevel.Blue => "蓝色",
        AlarmLevel.Yellow => "黄色",
        AlarmLevel.Orange => "橙色",
        AlarmLevel.Red => "红色",
        _ => "正常",
    }];

    public string Kind(SensorKind kind) => this[kind switch
    {
        SensorKind.Waterlogging => "道路积水",
        SensorKind.RiverLevel => "河道水位",
        SensorKind.Rainfall => "雨量",
        SensorKind.Tide => "潮位",
        SensorKind.HazardousGas => "有害气体",
        SensorKind.BridgeStrain => "桥梁应变",
        SensorKind.BridgeCrack => "桥梁裂缝",
        _ => kind.ToString(),
    }];

    public string Elevator(ElevatorStatus status) => this[status switch
    {
        ElevatorStatus.Normal => "正常",
        ElevatorStatus.Fault => "故障",
        ElevatorStatus.Trapped => "困人",
        ElevatorStatus.Maintenance => "维保中",
        _ => status.ToString(),
    }];

    public string Detection(DetectionKind kind) => this[kind switch
    {
        DetectionKind.Waterlogging => "积水",
        DetectionKind.FloatingDebris => "河面漂浮物",
        DetectionKind.MuckTruck => "渣土车",
        DetectionKind.ExposedGarbage => "暴露垃圾",
        DetectionKind.StreetStall => "占道经营",
        DetectionKind.FallenTree => "树木倒伏",
        _ => kind.ToString(),
    }];

    public string AreaLevelName(AreaLevel level) => this[level switch
    {
        AreaLevel.City => "市",
        AreaLevel.District => "区",
        AreaLevel.Street => "街道",
        _ => "网格",
    }];

    public string Emergency(Contracts.Mode.EmergencyKind kind) => this[kind switch
    {
        Contracts.Mode.EmergencyKind.Flood => "防汛",
        Contracts.Mode.EmergencyKind.Typhoon => "防台",
        _ => kind.ToString(),
    }];

    public string Response(Contracts.Mode.ResponseLevel level) => this[level switch
    {
        Contracts.Mode.ResponseLevel.I => "I级（红色）",
        Contracts.Mode.ResponseLevel.II => "II级（橙色）",
        Contracts.Mode.ResponseLevel.III => "III级（黄色）",
        _ => "IV级（蓝色）",
    }];

    /// <summary>The mode as the header shows it on every page: "应急 · 防汛 III级（黄色） · 全市".</summary>
    public string Mode(Contracts.Mode.CityMode mode, IReadOnlyDictionary<string, Contracts.Signs.AreaDefinition> areas) => !mode.IsEmergency
        ? this["平时状态"]
        : $"{this["应急状态"]} · {(mode.Kind is { } kind ? Emergency(kind) : "")} {(mode.Level is { } level ? Response(level) : "")} · "
          + (mode.IsCityWide ? this["全市"] : string.Join("、", mode.Districts.Select(d => areas.TryGetValue(d, out var area) ? Name(area.Name) : d)));

    public string Index(SignIndex index) => this[index switch
    {
        SignIndex.Flood => "防汛",
        SignIndex.Safety => "安全",
        SignIndex.Infrastructure => "设施",
        SignIndex.CaseHandling => "案件处置",
        _ => "综合指数",
    }];
}
