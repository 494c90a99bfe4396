using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Placement;
using CityOps.Twin.Grains.Spatial;
using NetTopologySuite.Geometries;

namespace CityOps.Twin.Silo.City;

/// <summary>
/// What the silo's API knows of the city without asking grains: which areas and devices exist, which grid a
/// point lies in, and the camera index for nearest-camera queries. Built once from the imported city.
/// </summary>
public sealed class CityRegistry : IGridPlacementMap
{
    /// <summary>
    /// How far outside every grid's polygon a point may lie and still count as in the nearest grid: boundary rounding
    /// only. The demo city's outlines are stored to 6 decimals (0.1 m) and imported files often have 5 (1.1 m); a
    /// point farther out is in no grid and refused. <c>--City:GridToleranceMeters</c> sets another.
    /// </summary>
    public const double DefaultGridToleranceMeters = 2;

    /// <summary>The most <c>City:GridToleranceMeters</c> may be: beyond it a point outside the city would be filed in it.</summary>
    public const double MaxGridToleranceMeters = 50;

    private readonly AreaLocator<string> _grids;

    public CityRegistry(CityModel city, double gridToleranceMeters = DefaultGridToleranceMeters)
    {
        if (!(gridToleranceMeters is >= 0 and <= MaxGridToleranceMeters))
        {
            throw new ArgumentOutOfRangeException(nameof(gridToleranceMeters), gridToleranceMeters, $"the grid tolerance is 0 to {MaxGridToleranceMeters} m");
        }
        GridToleranceMeters = gridToleranceMeters;
        City = city;
        Areas = city.Areas.ToDictionary(a => a.Code, StringComparer.Ordinal);
        Sensors = city.Sensors.ToDictionary(s => s.SensorId, StringComparer.Ordinal);
        Cameras = city.Cameras.ToDictionary(c => c.CameraId, StringComparer.Ordinal);
        Elevators = city.Elevators.ToDictionary(e => e.ElevatorId, StringComparer.Ordinal);
        var shapes = city.Grids.Select(g => (g.Code, Shape: DemoCity.Shape(g.Outline))).ToList();
        _grids = new AreaLocator<string>(shapes.Select(s => (s.Code, (Geometry)s.Shape)));
        CameraIndex = new NearestIndex<string>(city.Cameras.Select(c => (c.CameraId, c.Position)));
        SensorIndex = new NearestIndex<string>(city.Sensors.Select(s => (s.SensorId, s.Position)));
    }

    public CityModel City { get; }

    public double GridToleranceMeters { get; }

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

    /// <summary>
    /// The grid whose polygon holds the point, or whose border is within <see cref="GridToleranceMeters"/> of it; null
    /// when no grid does (outside the city, in a hole of a street, in a sliver too small to be a grid).
    /// </summary>
    public string? GridAt(GeoPoint point) => point.IsValid && _grids.TryLocate(point, GridToleranceMeters, out var grid) ? grid : null;

    /// <summary>
    /// The grid a grain's key belongs to, for placement: a grid's own code, a device's grid, and for a device's case
    /// (<c>S-WL-00200-0001</c>: kind letter, device, episode) the device's grid. Null for areas and other keys.
    /// </summary>
    public string? GridOf(string grainKey)
    {
        if (Areas.TryGetValue(grainKey, out var area))
        {
            return area.Level == AreaLevel.Grid ? area.Code : null;
        }
        if (DeviceGrid(grainKey) is { } grid)
        {
            return grid;
        }
        var last = grainKey.LastIndexOf('-');
        return grainKey.Length > 2 && grainKey[1] == '-' && last > 2 ? DeviceGrid(grainKey[2..last]) : null;
    }

    private string? DeviceGrid(string deviceId) =>
        Sensors.TryGetValue(deviceId, out var sensor) ? sensor.GridCode
        : Cameras.TryGetValue(deviceId, out var camera) ? camera.GridCode
        : Elevators.TryGetValue(deviceId, out var elevator) ? elevator.GridCode
        : null;
}
