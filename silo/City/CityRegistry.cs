using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Spatial;
using NetTopologySuite.Geometries;

namespace CityOps.Twin.Silo.City;

/// <summary>
/// What the silo's API knows of the city without asking grains: which areas and devices exist, which grid a
/// point lies in, and the camera index for nearest-camera queries. Built once from the imported city.
/// </summary>
public sealed class CityRegistry
{
    /// <summary>A point in no grid (a sliver of a street, just outside a border) goes to the nearest grid within this distance.</summary>
    public const double NearestGridMeters = 300;

    private readonly AreaLocator<string> _grids;
    private readonly NearestIndex<string> _gridCentres;

    public CityRegistry(CityModel city)
    {
        City = city;
        Areas = city.Areas.ToDictionary(a => a.Code, StringComparer.Ordinal);
        Sensors = city.Sensors.ToDictionary(s => s.SensorId, StringComparer.Ordinal);
        Cameras = city.Cameras.ToDictionary(c => c.CameraId, StringComparer.Ordinal);
        Elevators = city.Elevators.ToDictionary(e => e.ElevatorId, StringComparer.Ordinal);
        var shapes = city.Grids.Select(g => (g.Code, Shape: DemoCity.Shape(g.Outline))).ToList();
        _grids = new AreaLocator<string>(shapes.Select(s => (s.Code, (Geometry)s.Shape)));
        _gridCentres = new NearestIndex<string>(shapes.Select(s => (s.Code, new GeoPoint(s.Shape.Centroid.X, s.Shape.Centroid.Y))));
        CameraIndex = new NearestIndex<string>(city.Cameras.Select(c => (c.CameraId, c.Position)));
        SensorIndex = new NearestIndex<string>(city.Sensors.Select(s => (s.SensorId, s.Position)));
    }

    public CityModel City { get; }

    public IReadOnlyDictionary<string, AreaDefinition> Areas { get; }

    public IReadOnlyDictionary<string, SensorFile> Sensors { get; }

    public IReadOnlyDictionary<string, CameraFile> Cameras { get; }

    public IReadOnlyDictionary<string, ElevatorFile> Elevators { get; }

    public NearestIndex<string> CameraIndex { get; }

    public NearestIndex<string> SensorIndex { get; }

    public DeviceKind? KindOf(string deviceId) =>
        Sensors.ContainsKey(deviceId) ? DeviceKind.Sensor
        : Cameras.ContainsKey(deviceId) ? DeviceKind.Camera
        : Elevators.ContainsKey(deviceId) ? DeviceKind.Elevator
        : null;

    /// <summary>The grid a point lies in, or the nearest one within <see cref="NearestGridMeters"/>; null outside the city.</summary>
    public string? GridAt(GeoPoint point)
    {
        if (_grids.TryLocate(point, out var grid))
        {
            return grid;
        }
        var nearest = _gridCentres.Nearest(point, 1);
        return nearest.Count == 1 && nearest[0].DistanceMeters <= NearestGridMeters ? nearest[0].Item : null;
    }
}
