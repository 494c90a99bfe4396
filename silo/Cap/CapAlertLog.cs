using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Cap;

/// <summary>
/// The twin's CAP 1.2 alerts, read from the alert journal (<see cref="ICapAlertStore"/>) that the grains write as they
/// make each change, and rendered when asked, so every silo over one database answers the same alerts and a restarted
/// silo those it had. An alarm episode is one Alert, its level changes Updates and its end a Cancel, each
/// referencing the episode's first alert, as CAP 1.2 §3.2.1 asks of references.
/// </summary>
public sealed class CapAlertLog(ICapAlertStore store, ICityDirectory city, IOptions<CapOptions> options)
{
    /// <summary>The latest <paramref name="count"/> alerts, newest first.</summary>
    public async Task<IReadOnlyList<CapAlert>> LatestAsync(int count) => Render(await store.LatestAsync(count));

    public async Task<CapAlert?> FindAsync(string identifier) => await store.FindAsync(identifier) is { } alert ? Render(alert) : null;

    public IReadOnlyList<CapAlert> Render(IEnumerable<JournaledAlert> alerts) => [.. alerts.Select(Render)];

    public CapAlert Render(JournaledAlert alert) => alert switch
    {
        { Alarm: { } alarm } => OfAlarm(alert.Identifier, alarm, alert.EpisodeAlert),
        { Switch: { } change } => OfSwitch(alert.Identifier, change),
        _ => throw new ArgumentException($"Journaled alert {alert.Identifier} holds neither an alarm change nor a switch.", nameof(alert)),
    };

    private CapAlert OfAlarm(string identifier, SensorAlarmChanged change, EpisodeAlert? opened)
    {
        var sensor = city.Sensors.GetValueOrDefault(change.SensorId);
        var grid = city.Areas.GetValueOrDefault(change.GridCode);
        var msgType = change.From == AlarmLevel.None ? "Alert" : change.To == AlarmLevel.None ? "Cancel" : "Update";
        string[] references = msgType != "Alert" && opened is not null
            ? [$"{options.Value.Sender},{opened.Identifier},{CapAlert.Time(opened.Sent)}"]
            : [];
        var level = change.To == AlarmLevel.None ? change.From : change.To;
        var name = sensor?.Name ?? change.SensorId;
        return new CapAlert(
            identifier, options.Value.Sender, change.At, Status(), msgType, Note(), references,
            CategoryOf(change.Kind), EventOf(change.Kind), change.To == AlarmLevel.None ? "Past" : "Immediate", SeverityOf(level), "Observed",
            change.To == AlarmLevel.None ? $"{name} 告警解除" : $"{name} {LevelName(change.To)}告警",
            $"{name}（{change.SensorId}）读数 {change.Value:0.##}，告警等级由 {LevelName(change.From)} 变为 {LevelName(change.To)}。",
            [new CapArea(grid?.Name ?? change.GridCode, grid?.Outline.Take(1).ToList() ?? [])]);
    }

    private CapAlert OfSwitch(string identifier, ModeChange change)
    {
        var to = change.To;
        var covered = to.IsEmergency ? to : change.From;
        var streets = city.Areas.Values.Where(a => a.Level == AreaLevel.Street
            && (covered.IsCityWide || covered.Districts.Contains(a.ParentCode!))).ToList();
        var areaName = covered.IsCityWide ? city.Name : string.Join("、", covered.Districts.Select(d => city.Areas.GetValueOrDefault(d)?.Name ?? d));
        var level = covered.Level ?? ResponseLevel.IV;
        return new CapAlert(
            identifier, options.Value.Sender, change.At, Status(), to.IsEmergency ? "Alert" : "Cancel", Note(), [],
            "Met", covered.Kind == EmergencyKind.Typhoon ? "台风应急响应 Typhoon emergency response" : "防汛应急响应 Flood emergency response",
            to.IsEmergency ? "Immediate" : "Past", ModeSeverity(level), "Likely",
            // The area's name may end in Latin letters ("... demo city"): a colon keeps it apart from the text.
            to.IsEmergency ? $"{areaName}：启动{level}级应急响应" : $"{areaName}：终止应急响应，恢复平时状态",
            $"{to.ChangedBy}：{change.Reason}",
            [new CapArea(areaName, [.. streets.Where(s => s.Outline.Count > 0).Select(s => s.Outline[0])])]);
    }

    private string Status() => options.Value.ExerciseName is null ? "Actual" : "Exercise";

    private string? Note() => options.Value.ExerciseName is { } drill ? $"演练 EXERCISE: {drill}" : null;

    private static string CategoryOf(SensorKind kind) => kind switch
    {
        SensorKind.Waterlogging or SensorKind.Rainfall or SensorKind.RiverLevel or SensorKind.Tide => "Met",
        SensorKind.HazardousGas => "Safety",
        _ => "Infra",
    };

    private static string EventOf(SensorKind kind) => kind switch
    {
        SensorKind.Waterlogging => "道路积水 Road waterlogging",
        SensorKind.RiverLevel => "河道高水位 High river level",
        SensorKind.Rainfall => "强降雨 Heavy rain",
        SensorKind.Tide => "高潮位 High tide",
        SensorKind.HazardousGas => "有限空间有害气体 Hazardous gas",
        SensorKind.BridgeStrain => "桥梁应变超限 Bridge strain",
        _ => "桥梁裂缝 Bridge crack",
    };

    private static string SeverityOf(AlarmLevel level) => level switch
    {
        AlarmLevel.Red => "Extreme",
        AlarmLevel.Orange => "Severe",
        AlarmLevel.Yellow => "Moderate",
        AlarmLevel.Blue => "Minor",
        _ => "Unknown",
    };

    private static string ModeSeverity(ResponseLevel level) => level switch
    {
        ResponseLevel.I => "Extreme",
        ResponseLevel.II => "Severe",
        ResponseLevel.III => "Moderate",
        _ => "Minor",
    };

    private static string LevelName(AlarmLevel level) => level switch
    {
        AlarmLevel.Red => "红色",
        AlarmLevel.Orange => "橙色",
        AlarmLevel.Yellow => "黄色",
        AlarmLevel.Blue => "蓝色",
        _ => "无",
    };
}
