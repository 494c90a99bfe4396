using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Runtime;

namespace CityOps.Twin.Contracts.Devices;

/// <summary>探头: a camera's file.</summary>
public sealed record CameraFile(string CameraId, string Name, GeoPoint Position, string GridCode);

/// <summary>What a camera's AI can see.</summary>
public enum DetectionKind
{
    Waterlogging,
    FloatingDebris,
    MuckTruck,
    ExposedGarbage,
    StreetStall,
    FallenTree,
}

public sealed record CameraDetection(DetectionKind Kind, DateTimeOffset At, double Confidence);

public sealed record CameraSnapshot(CameraFile File, bool Online, DateTimeOffset? Since, IReadOnlyList<CameraDetection> RecentDetections);

/// <summary>A camera, keyed by its id.</summary>
public interface ICameraGrain : IGrainWithStringKey
{
    Task File(CameraFile file);

    Task SetOnline(bool online, DateTimeOffset at);

    /// <summary>Records an AI detection; returns the id of the case it opened, or null (low confidence, or a case of that kind is still open).</summary>
    Task<string?> Detect(CameraDetection detection);

    Task<CameraSnapshot?> GetSnapshot();
}
