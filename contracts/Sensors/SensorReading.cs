using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Contracts.Sensors;

/// <summary>One measurement of a sensor.</summary>
public sealed record SensorReading(string SensorId, DateTimeOffset MeasuredAt, double Value);

/// <summary>一感一档: a sensor's file.</summary>
public sealed record SensorFile(string SensorId, SensorKind Kind, string Name, GeoPoint Position, string GridCode);

/// <summary>What a sensor did with a reading.</summary>
public enum ReadingOutcome
{
    Applied,

    /// <summary>Not newer than the last applied reading (a duplicate, or one that arrived late): ignored.</summary>
    Stale,
}

/// <summary>A sensor's live state, as the view and the API show it, with the thresholds it is judged by now (they follow the city's mode).</summary>
public sealed record SensorSnapshot(
    SensorFile File,
    double? Value,
    DateTimeOffset? MeasuredAt,
    AlarmLevel Level,
    int Episodes,
    string? OpenCaseId,
    double TrendPerHour,
    IReadOnlyList<SensorReading> Recent,
    SensorThresholds Thresholds);

/// <summary>Published on the sensor's grid stream when its alarm level changes.</summary>
public sealed record SensorAlarmChanged(string SensorId, SensorKind Kind, string GridCode, AlarmLevel From, AlarmLevel To, double Value, DateTimeOffset At);
