using System.Globalization;
using System.Text.Json;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Spatial;
using NetTopologySuite.Geometries;

namespace CityOps.Twin.Silo.City;

/// <summary>
/// Imports a city from a manifest (--city city.json):
/// <code>
/// { "name": "...", "coordinateSystem": "Wgs84" | "Gcj02",
///   "tree": [ { "code", "name", "level": "City|District|Street", "parent" } ],
///   "grids": "grids.geojson",     // Polygon features with properties code, name, parent (a street), team
///   "devices": "devices.csv" }    // id,kind,sensorKind,name,longitude,latitude (kind: Sensor, Camera, Elevator);
///                                 // or devices.geojson: Point features with properties id, kind, sensorKind, name
/// </code>
/// Files are relative to the manifest. Every coordinate is converted from the named system to WGS84; a
/// device's grid is found from its position. A bad file is refused with the file, line or feature, and field.
/// </summary>
public static class CityImport
{
    public static CityModel Load(string manifestPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var source = Path.GetFileName(manifestPath);
        Manifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
                ?? throw new InvalidDataException($"{source}: empty manifest.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{source}: not a valid city manifest at {exception.Path}: {exception.Message}");
        }

        if (!Enum.TryParse<CoordinateSystem>(manifest.CoordinateSystem, ignoreCase: true, out var system) || !Enum.IsDefined(system))
        {
            throw new InvalidDataException($"{source}: coordinateSystem '{manifest.CoordinateSystem}' must be Wgs84 or Gcj02; every import names its system.");
        }

        var areas = new List<AreaDefinition>();
        foreach (var (entry, index) in (manifest.Tree ?? []).Select((e, i) => (e, i)))
        {
            if (string.IsNullOrWhiteSpace(entry.Code) || string.IsNullOrWhiteSpace(entry.Name)
                || !Enum.TryParse<AreaLevel>(entry.Level, ignoreCase: true, out var level) || level == AreaLevel.Grid)
            {
                throw new InvalidDataException($"{source}: tree[{index}] needs code, name and a level of City, District or Street.");
            }
            areas.Add(new AreaDefinition(entry.Code, entry.Name, level, level == AreaLevel.City ? null : entry.Parent, []));
        }
        if (areas.Count(a => a.Level == AreaLevel.City) != 1)
        {
            throw new InvalidDataException($"{source}: the tree needs exactly one City.");
        }

        var gridsFile = manifest.Grids ?? throw new InvalidDataException($"{source}: \"grids\" (a GeoJSON file of grid polygons) is missing.");
        var gridShapes = new List<(AreaDefinition Grid, Geometry Shape)>();
        foreach (var (feature, index) in GeoJsonImport.ReadFeatures(Path.Combine(folder, gridsFile), system).Select((f, i) => (f, i)))
        {
            var code = feature.Text("code");
            var parent = feature.Text("parent");
            if (string.IsNullOrWhiteSpace(code))
            {
                throw new InvalidDataException($"{gridsFile}: feature {index}: a grid needs a code (field properties.code).");
            }
            if (feature.Geometry is not Polygon polygon)
            {
                throw new InvalidDataException($"{gridsFile}: feature {index} (grid {code}): a grid needs a Polygon geometry, not a {feature.Geometry.GeometryType} (field geometry.type).");
            }
            if (parent is null || !areas.Any(a => a.Code == parent && a.Level == AreaLevel.Street))
            {
                throw new InvalidDataException($"{gridsFile}: feature {index} (grid {code}): parent '{parent}' is not a street of the tree (field properties.parent).");
            }
            var outline = new[] { polygon.ExteriorRing }.Concat(polygon.InteriorRings)
                .Select(r => (IReadOnlyList<GeoPoint>)r.Coordinates.Select(c => new GeoPoint(c.X, c.Y)).ToList()).ToList();
            var grid = new AreaDefinition(code, feature.Text("name") ?? code, AreaLevel.Grid, parent, outline, feature.Text("team"));
            areas.Add(grid);
            gridShapes.Add((grid, polygon));
        }

        var locator = new AreaLocator<string>(gridShapes.Select(g => (g.Grid.Code, g.Shape)));
        var sensors = new List<SensorFile>();
        var cameras = new List<CameraFile>();
        var elevators = new List<ElevatorFile>();
        void Add(string id, string kind, string sensorKind, string name, GeoPoint position, string where)
        {
            if (!locator.TryLocate(position, out var gridCode))
            {
                throw new InvalidDataException($"{where}: device {id} at {position} lies in no grid.");
            }
            switch (kind)
            {
                case "Sensor" when Enum.TryParse<SensorKind>(sensorKind, out var parsed) && Enum.IsDefined(parsed):
                    sensors.Add(new SensorFile(id, parsed, name, position, gridCode));
                    break;
                case "Sensor":
                    throw new InvalidDataException($"{where}: sensorKind '{sensorKind}' is not one of {string.Join(", ", Enum.GetNames<SensorKind>())}.");
                case "Camera":
                    cameras.Add(new CameraFile(id, name, position, gridCode));
                    break;
                case "Elevator":
                    var today = DateOnly.FromDateTime(DateTime.UtcNow);
                    elevators.Add(new ElevatorFile(id, name, name, position, gridCode, "unknown", today, today.AddDays(15)));
                    break;
                default:
                    throw new InvalidDataException($"{where}: kind '{kind}' must be Sensor, Camera or Elevator.");
            }
        }

        if (manifest.Devices is { } geoJsonDevices && geoJsonDevices.EndsWith("json", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var (feature, index) in GeoJsonImport.ReadFeatures(Path.Combine(folder, geoJsonDevices), system).Select((f, i) => (f, i)))
            {
                var where = $"{geoJsonDevices} feature {index}";
                if (feature.Text("id") is not { Length: > 0 } id)
                {
                    throw new InvalidDataException($"{where}: a device needs an id (field properties.id).");
                }
                if (feature.Geometry is not Point point)
                {
                    throw new InvalidDataException($"{where} (device {id}): a device needs a Point geometry, not a {feature.Geometry.GeometryType} (field geometry.type).");
                }
                Add(id, feature.Text("kind") ?? string.Empty, feature.Text("sensorKind") ?? string.Empty, feature.Text("name") ?? id, new GeoPoint(point.X, point.Y), where);
            }
        }
        else if (manifest.Devices is { } devicesFile)
        {
            var lines = File.ReadAllLines(Path.Combine(folder, devicesFile));
            for (var line = 1; line < lines.Length; line++)
            {
                if (string.IsNullOrWhiteSpace(lines[line]))
                {
                    continue;
                }
                var fields = lines[line].Split(',');
                string Where() => $"{devicesFile} line {line + 1}";
                if (fields.Length < 6)
                {
                    throw new InvalidDataException($"{Where()}: expected id,kind,sensorKind,name,longitude,latitude; got {fields.Length} fields.");
                }
                if (!double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var longitude)
                    || !double.TryParse(fields[5], NumberStyles.Float, CultureInfo.InvariantCulture, out var latitude)
                    || !new GeoPoint(longitude, latitude).IsValid)
                {
                    throw new InvalidDataException($"{Where()}: longitude '{fields[4]}' and latitude '{fields[5]}' are not a position.");
                }
                Add(fields[0], fields[1], fields[2], fields[3], CoordinateConversion.ToWgs84(new GeoPoint(longitude, latitude), system), Where());
            }
        }

        return new CityModel(manifest.Name ?? source, areas, sensors, cameras, elevators);
    }

    private sealed record Manifest(string? Name, string? CoordinateSystem, List<TreeEntry>? Tree, string? Grids, string? Devices);

    private sealed record TreeEntry(string? Code, string? Name, string? Level, string? Parent);
}
