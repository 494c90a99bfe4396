using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Contracts.Devices;

/// <summary>探头: a camera's file.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Devices.CameraFile")]
public sealed record CameraFile(
    [property: Id(0)] string CameraId,
    [property: Id(1)] string Name,
    [property: Id(2)] GeoPoint Position,
    [property: Id(3)] string GridCode);

/// <summary>What a camera's AI can see.</summary>
[GenerateSerializer, Alias("CityOps.Devices.DetectionKind")]
public enum DetectionKind
{
    Waterlogging,
    FloatingDebris,
    MuckTruck,
    ExposedGarbage,
    StreetStall,
    FallenTree,
}

[GenerateSerializer, Immutable, Alias("CityOps.Devices.CameraDetection")]
public sealed record CameraDetection(
    [property: Id(0)] DetectionKind Kind,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] double Confidence);

[GenerateSerializer, Immutable, Alias("CityOps.Devices.CameraSnapshot")]
public sealed record CameraSnapshot(
    [property: Id(0)] CameraFile File,
    [property: Id(1)] bool Online,
    [property: Id(2)] DateTimeOffset? Since,
    [property: Id(3)] IReadOnlyList<CameraDetection> RecentDetections);

/// <summary>A camera, keyed by its id.</summary>
public interface ICameraGrain : IGrainWithStringKey
{
    Task File(CameraFile file);

    Task SetOnline(bool online, DateTimeOffset at);

    /// <summary>Records an AI detection; returns the id of the case it opened, or null (low confidence, or a case of that kind is still open).</summary>
    Task<string?> Detect(CameraDetection detection);

    Task<CameraSnapshot?> GetSnapshot();
}
