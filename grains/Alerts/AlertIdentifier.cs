using System.Globalization;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Grains.Alerts;

/// <summary>
/// CAP identifiers made from the change itself, never from a counter, so every silo names one change alike and a
/// change recorded again (a retried reading, a replayed history) is known as the same one. A sensor's readings
/// strictly increase in time, and the city's switches too; CAP 1.2 §3.2.1 allows no spaces, commas or "&lt;" "&amp;".
/// </summary>
public static class AlertIdentifier
{
    /// <summary>The twin's own zone, Shanghai (UTC+8): the same text whatever zone a silo or a reading came in.</summary>
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    public const string AlarmPrefix = "cityops-alarm-";

    public const string SwitchPrefix = "cityops-mode-";

    public static string Alarm(SensorAlarmChanged change, DateTimeOffset? modeSwitchedAt) => modeSwitchedAt is { } switched
        ? $"{AlarmPrefix}{change.SensorId}-{Stamp(change.At)}-mode-{Stamp(switched)}"
        : $"{AlarmPrefix}{change.SensorId}-{Stamp(change.At)}";

    public static string Switch(ModeChange change) => $"{SwitchPrefix}{Stamp(change.At)}";

    /// <summary>Milliseconds, and the ticks below them only when there are any: two readings 0.1 ms apart stay apart.</summary>
    private static string Stamp(DateTimeOffset at)
    {
        var local = at.ToOffset(Shanghai);
        var text = local.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var belowMillisecond = local.Ticks % TimeSpan.TicksPerMillisecond;
        return belowMillisecond == 0 ? text : text + belowMillisecond.ToString("D4", CultureInfo.InvariantCulture);
    }
}
