using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Contracts.City;

/// <summary>A camera near a point: how far, and whether it is online now.</summary>
public sealed record NearbyCamera(string CameraId, string Name, GeoPoint Position, double DistanceMeters, bool Online);

/// <summary>A sensor near a point, with how far it is.</summary>
public sealed record NearbySensor(SensorFile File, double DistanceMeters);

/// <summary>
/// What the silo knows of the imported city without asking a grain: its areas and device files, which grid a
/// point lies in, and the spatial indexes for nearest-device queries. The HTTP API and the twin view share it,
/// so a point clicked on the map and the same point asked of the API give the same cameras.
/// </summary>
public interface ICityDirectory
{
    string Name { get; }

    IReadOnlyDictionary<string, AreaDefinition> Areas { get; }

    IReadOnlyDictionary<string, SensorFile> Sensors { get; }

    IReadOnlyDictionary<string, CameraFile> Cameras { get; }

    IReadOnlyDictionary<string, ElevatorFile> Elevators { get; }

    /// <summary>Completes once the whole city is in the grains (at start, while it is being filed, it is not).</summary>
    Task Filed { get; }

    DeviceKind? KindOf(string deviceId);

    /// <summary>
    /// The grid whose polygon holds the point (or whose border is within the configured tolerance of a few metres, for
    /// boundary rounding); null when no grid's polygon does: outside the city, or in a hole or sliver of it.
    /// </summary>
    string? GridAt(GeoPoint point);

    /// <summary>The <paramref name="count"/> cameras nearest the point, nearest first, with their live status; only online ones if asked.</summary>
    Task<IReadOnlyList<NearbyCamera>> NearestCamerasAsync(GeoPoint point, int count, bool onlineOnly = false);

    /// <summary>The <paramref name="count"/> sensors nearest the point, nearest first.</summary>
    IReadOnlyList<NearbySensor> NearestSensors(GeoPoint point, int count);
}
