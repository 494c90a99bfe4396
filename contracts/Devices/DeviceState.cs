using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Contracts.Devices;

public enum DeviceKind
{
    Sensor,
    Camera,
    Elevator,
}

/// <summary>电梯 status, as its one-file-per-elevator record (一梯一档) holds it.</summary>
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
public sealed record DeviceState(
    string DeviceId,
    DeviceKind Kind,
    string Name,
    string GridCode,
    GeoPoint Position,
    SensorKind? SensorKind,
    AlarmLevel Level,
    bool Online,
    ElevatorStatus? ElevatorStatus,
    DateTimeOffset At);
