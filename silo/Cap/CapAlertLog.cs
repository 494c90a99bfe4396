using System.Collections.Concurrent;
using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Cap;

/// <summary>Where CAP alerts come from and how many are kept (configuration section "Cap").</summary>
public sealed class CapOptions
{
    /// <summary>CAP's sender: an identifier of the originator, unique world-wide (CAP 1.2 §3.2.1).</summary>
    public string Sender { get; set; } = "cityops-twin@ops.shanghai.example";

    /// <summary>Alerts kept for the endpoint: a busy day of alarms; older ones are in the grains' history.</summary>
    public int Keep { get; set; } = 20_000;

    /// <summary>Set while a drill runs in this silo: every alert is then status Exercise, with the drill's name in note.</summary>
    public string? ExerciseName { get; set; }
}

/// <summary>
/// Turns alarm-level changes and mode switches into CAP 1.2 alerts as they happen, and keeps the latest for the
/// HTTP endpoint. An alarm episode is one Alert, its level changes Updates and its end a Cancel, each
/// referencing the episode's first alert, as CAP 1.2 §3.2.1 asks of references.
/// </summary>
public sealed class CapAlertLog(ICityDirectory city, IOptions<CapOptions> options) : ITwinChangeListener
{
    private readonly ConcurrentQueue<CapAlert> _alerts = new();
    private readonly ConcurrentDictionary<string, CapAlert> _byIdentifier = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _episodeAlert = new(StringComparer.Ordinal);
    private long _sequence;

    public IReadOnlyList<CapAlert> Latest(int count) => [.. _alerts.Reverse().Take(count)];

    public CapAlert? Find(string identifier) => _byIdentifier.GetValueOrDefault(identifier);

    /// <summary>Hears every alarm change and mode switch of the city as the silo's feed delivers them.</summary>
    public void OnChanges(TwinChanges changes)
    {
        foreach (var change in changes.Modes)
        {
            OnMode(change);
        }
        foreach (var alarm in changes.Alarms)
        {
            OnAlarm(alarm);
        }
    }

    private void OnAlarm(SensorAlarmChanged change)
    {
        var sensor = city.Sensors.GetValueOrDefault(change.SensorId);
        var grid = city.Areas.GetValueOrDefault(change.GridCode);
        var identifier = NextIdentifier("alarm", change.At);
        string msgType;
        string[] references = [];
        if (change.From == AlarmLevel.None)
        {
            msgType = "Alert";
            _episodeAlert[change.SensorId] = $"{options.Value.Sender},{identifier},{CapAlert.Time(change.At)}";
        }
        else
        {
            msgType = change.To == AlarmLevel.None ? "Cancel" : "Update";
            references = _episodeAlert.TryGetValue(change.SensorId, out var first) ? [first] : [];
            if (change.To == AlarmLevel.None)
            {
                _episodeAlert.TryRemove(change.SensorId, out _);
            }
        }
        var level = change.To == AlarmLevel.None ? change.From : change.To;
        var name = sensor?.Name ?? change.SensorId;
        Add(new CapAlert(
            identifier, options.Value.Sender, change.At, Status(), msgType, Note(), references,
            CategoryOf(change.Kind), EventOf(change.Kind), change.To == AlarmLevel.None ? "Past" : "Immediate", SeverityOf(level), "Observed",
            change.To == AlarmLevel.None ? $"{name} 告警解除" : $"{name} {LevelName(change.To)}告警",
            $"{name}（{change.SensorId}）读数 {change.Value:0.##}，告警等级由 {LevelName(change.From)} 变为 {LevelName(change.To)}。",
            [new CapArea(grid?.Name ?? change.GridCode, grid?.Outline.Take(1).ToList() ?? [])]));
    }

    private void OnMode(ModeChange change)
    {
        var to = change.To;
        var covered = to.IsEmergency ? to : change.From;
        var streets = city.Areas.Values.Where(a => a.Level == AreaLevel.Street
            && (covered.IsCityWide || covered.Districts.Contains(a.ParentCode!))).ToList();
        var areaName = covered.IsCityWide ? city.Name : string.Join("、", covered.Districts.Select(d => city.Areas.GetValueOrDefault(d)?.Name ?? d));
        var level = covered.Level ?? ResponseLevel.IV;
        Add(new CapAlert(
            NextIdentifier("mode", change.At), options.Value.Sender, change.At, Status(), to.IsEmergency ? "Alert" : "Cancel", Note(), [],
            "Met", covered.Kind == EmergencyKind.Typhoon ? "台风应急响应 Typhoon emergency response" : "防汛应急响应 Flood emergency response",
            to.IsEmergency ? "Immediate" : "Past", ModeSeverity(level), "Likely",
            // The area's name may end in Latin letters ("... demo city"): a colon keeps it apart from the text.
            to.IsEmergency ? $"{areaName}：启动{level}级应急响应" : $"{areaName}：终止应急响应，恢复平时状态",
            $"{to.ChangedBy}：{change.Reason}",
            [new CapArea(areaName, [.. streets.Where(s => s.Outline.Count > 0).Select(s => s.Outline[0])])]));
    }

    private void Add(CapAlert alert)
    {
        _alerts.Enqueue(alert);
        _byIdentifier[alert.Identifier] = alert;
        while (_alerts.Count > options.Value.Keep && _alerts.TryDequeue(out var old))
        {
            _byIdentifier.TryRemove(old.Identifier, out _);
        }
    }

    // Identifiers must be unique for the sender and hold no spaces, commas or restricted characters (CAP 1.2 §3.2.1).
    private string NextIdentifier(string kind, DateTimeOffset at) =>
        $"cityops-{kind}-{at.ToOffset(TimeSpan.FromHours(8)):yyyyMMddHHmmss}-{Interlocked.Increment(ref _sequence):D6}";

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
