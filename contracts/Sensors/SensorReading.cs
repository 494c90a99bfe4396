using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Contracts.Sensors;

/// <summary>One measurement of a sensor.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Sensors.SensorReading")]
public sealed record SensorReading(
    [property: Id(0)] string SensorId,
    [property: Id(1)] DateTimeOffset MeasuredAt,
    [property: Id(2)] double Value);

/// <summary>一感一档: a sensor's file.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Sensors.SensorFile")]
public sealed record SensorFile(
    [property: Id(0)] string SensorId,
    [property: Id(1)] SensorKind Kind,
    [property: Id(2)] string Name,
    [property: Id(3)] GeoPoint Position,
    [property: Id(4)] string GridCode);

/// <summary>What a sensor did with a reading.</summary>
[GenerateSerializer, Alias("CityOps.Sensors.ReadingOutcome")]
public enum ReadingOutcome
{
    Applied,

    /// <summary>Not newer than the last applied reading (a duplicate, or one that arrived late): ignored.</summary>
    Stale,
}

/// <summary>A sensor's live state, as the view and the API show it, with the thresholds it is judged by now (they follow the city's mode).</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Sensors.SensorSnapshot")]
public sealed record SensorSnapshot(
    [property: Id(0)] SensorFile File,
    [property: Id(1)] double? Value,
    [property: Id(2)] DateTimeOffset? MeasuredAt,
    [property: Id(3)] AlarmLevel Level,
    [property: Id(4)] int Episodes,
    [property: Id(5)] string? OpenCaseId,
    [property: Id(6)] double TrendPerHour,
    [property: Id(7)] IReadOnlyList<SensorReading> Recent,
    [property: Id(8)] SensorThresholds Thresholds);

/// <summary>Published on the sensor's grid stream when its alarm level changes.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Sensors.SensorAlarmChanged")]
public sealed record SensorAlarmChanged(
    [property: Id(0)] string SensorId,
    [property: Id(1)] SensorKind Kind,
    [property: Id(2)] string GridCode,
    [property: Id(3)] AlarmLevel From,
    [property: Id(4)] AlarmLevel To,
    [property: Id(5)] double Value,
    [property: Id(6)] DateTimeOffset At);
