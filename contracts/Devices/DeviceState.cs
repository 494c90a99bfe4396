using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Contracts.Devices;

[GenerateSerializer, Alias("CityOps.Devices.DeviceKind")]
public enum DeviceKind
{
    Sensor,
    Camera,
    Elevator,
}

/// <summary>电梯 status, as its one-file-per-elevator record (一梯一档) holds it.</summary>
[GenerateSerializer, Alias("CityOps.Devices.ElevatorStatus")]
public enum ElevatorStatus
{
    Normal,
    Fault,
    Trapped,
    Maintenance,
}

/// <summary>
/// What a grid needs to know of one of its devices for the vital signs, published on the grid's
/// "device-states" stream whenever it changes (filed, alarm level, online, elevator status).
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Devices.DeviceState")]
public sealed record DeviceState(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] DeviceKind Kind,
    [property: Id(2)] string Name,
    [property: Id(3)] string GridCode,
    [property: Id(4)] GeoPoint Position,
    [property: Id(5)] SensorKind? SensorKind,
    [property: Id(6)] AlarmLevel Level,
    [property: Id(7)] bool Online,
    [property: Id(8)] ElevatorStatus? ElevatorStatus,
    [property: Id(9)] DateTimeOffset At);
