using System.Diagnostics;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Spatial;
using CityOps.Twin.Silo.City;

namespace CityOps.Twin.Silo.Tests;

public sealed class CityImportTests
{
    private static string Write(string manifest, string grids, string? devices = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "cityops-import", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "city.json"), manifest);
        File.WriteAllText(Path.Combine(folder, "grids.geojson"), grids);
        if (devices is not null)
        {
            File.WriteAllText(Path.Combine(folder, "devices.csv"), devices);
        }
        return Path.Combine(folder, "city.json");
    }

    private const string Tree = """
        "tree": [ { "code": "city", "name": "上海", "level": "City" }, { "code": "D", "name": "徐汇区", "level": "District", "parent": "city" },
                  { "code": "S", "name": "漕河泾街道", "level": "Street", "parent": "D" } ]
        """;

    // A 0.01° square in Xuhui, given in GCJ-02 as an Amap export would give it.
    private static string Grid(string parent = "S")
    {
        GeoPoint Gcj(double lon, double lat) => CoordinateConversion.Wgs84ToGcj02(new GeoPoint(lon, lat));
        var corners = new[] { Gcj(121.40, 31.17), Gcj(121.41, 31.17), Gcj(121.41, 31.18), Gcj(121.40, 31.18), Gcj(121.40, 31.17) };
        var ring = string.Join(",", corners.Select(c => FormattableString.Invariant($"[{c.Longitude},{c.Latitude}]")));
        return $$$"""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[{{{ring}}}]]},"properties":{"code":"G1","name":"网格一","parent":"{{{parent}}}"}}]}""";
    }

    [Fact]
    public void A_GCJ02_city_is_stored_in_WGS84_with_each_device_in_its_grid()
    {
        var device = CoordinateConversion.Wgs84ToGcj02(new GeoPoint(121.405, 31.175));
        var path = Write($$"""{ "name": "test", "coordinateSystem": "Gcj02", {{Tree}}, "grids": "grids.geojson", "devices": "devices.csv" }""", Grid(),
            FormattableString.Invariant($"id,kind,sensorKind,name,longitude,latitude\nWL-1,Sensor,Waterlogging,积水点,{device.Longitude},{device.Latitude}\nCAM-1,Camera,,探头,{device.Longitude},{device.Latitude}\n"));

        var city = CityImport.Load(path);

        var corner = city.Grids.Single().Outline[0][0];
        Assert.True(corner.DistanceTo(new GeoPoint(121.40, 31.17)) < 0.01);
        Assert.True(city.Sensors.Single().Position.DistanceTo(new GeoPoint(121.405, 31.175)) < 0.01);
        Assert.Equal("G1", city.Cameras.Single().GridCode);
    }

    [Fact]
    public void Devices_can_come_as_GeoJSON_points()
    {
        var inside = CoordinateConversion.Wgs84ToGcj02(new GeoPoint(121.405, 31.175));
        var path = Write($$"""{ "name": "x", "coordinateSystem": "Gcj02", {{Tree}}, "grids": "grids.geojson", "devices": "devices.geojson" }""", Grid());
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, "devices.geojson"), FormattableString.Invariant(
            $$$"""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[{{{inside.Longitude}}},{{{inside.Latitude}}}]},"properties":{"id":"ELV-9","kind":"Elevator","name":"漕河泾 9 号楼"}}]}"""));

        var city = CityImport.Load(path);

        Assert.Equal(("ELV-9", "G1"), (city.Elevators.Single().ElevatorId, city.Elevators.Single().GridCode));
        Assert.True(city.Elevators.Single().Position.DistanceTo(new GeoPoint(121.405, 31.175)) < 0.01);
    }

    [Theory]
    [InlineData("""{ "name": "x", TREE, "grids": "grids.geojson" }""", null, "coordinateSystem '' must be Wgs84 or Gcj02")]
    [InlineData("""{ "name": "x", "coordinateSystem": "Bd09", TREE, "grids": "grids.geojson" }""", null, "coordinateSystem 'Bd09' must be Wgs84 or Gcj02")]
    [InlineData("""{ "name": "x", "coordinateSystem": "Wgs84", "tree": [], "grids": "grids.geojson" }""", null, "the tree needs exactly one City")]
    [InlineData("""{ "name": "x", "coordinateSystem": "Wgs84", TREE }""", null, "\"grids\" (a GeoJSON file of grid polygons) is missing")]
    [InlineData("""{ "name": "x", "coordinateSystem": "Wgs84", TREE, "grids": "grids.geojson", "devices": "devices.csv" }""", "id,kind,sensorKind,name,longitude,latitude\nX,Robot,,r,121.405,31.175\n", "devices.csv line 2: kind 'Robot' must be Sensor, Camera or Elevator")]
    [InlineData("""{ "name": "x", "coordinateSystem": "Wgs84", TREE, "grids": "grids.geojson", "devices": "devices.csv" }""", "id,kind,sensorKind,name,longitude,latitude\nX,Sensor,Lava,r,121.405,31.175\n", "devices.csv line 2: sensorKind 'Lava' is not one of")]
    [InlineData("""{ "name": "x", "coordinateSystem": "Wgs84", TREE, "grids": "grids.geojson", "devices": "devices.csv" }""", "id,kind,sensorKind,name,longitude,latitude\nX,Camera,,c,116.4,39.9\n", "devices.csv line 2: device X at 116.4,39.9 lies in no grid")]
    [InlineData("""{ "name": "x", "coordinateSystem": "Wgs84", TREE, "grids": "grids.geojson", "devices": "devices.csv" }""", "id,kind,sensorKind,name,longitude,latitude\nX,Camera,,c,east,31\n", "devices.csv line 2: longitude 'east' and latitude '31' are not a position")]
    public void A_bad_city_is_refused_with_the_file_line_and_field(string manifest, string? devices, string message)
    {
        var path = Write(manifest.Replace("TREE", Tree, StringComparison.Ordinal), Grid(), devices);

        var error = Assert.Throws<InvalidDataException>(() => CityImport.Load(path));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_grid_whose_parent_is_not_a_street_of_the_tree_is_refused()
    {
        var path = Write($$"""{ "name": "x", "coordinateSystem": "Wgs84", {{Tree}}, "grids": "grids.geojson" }""", Grid(parent: "D"));

        var error = Assert.Throws<InvalidDataException>(() => CityImport.Load(path));

        Assert.Contains("grids.geojson: feature 0 (grid G1): parent 'D' is not a street of the tree", error.Message);
    }

    private const string DevicesManifest = """{ "name": "x", "coordinateSystem": "Wgs84", TREE, "grids": "grids.geojson", "devices": "devices.geojson" }""";

    /// <summary>A grid or device file without what the twin needs of a feature: the error names the file, the feature and the field.</summary>
    [Theory]
    [InlineData("grids.geojson", """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[121.40,31.17],[121.41,31.17],[121.41,31.18],[121.40,31.17]]]},"properties":{"name":"网格一","parent":"S"}}]}""",
        "grids.geojson: feature 0: a grid needs a code (field properties.code).")]
    [InlineData("grids.geojson", """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[121.40,31.17]},"properties":{"code":"G1","parent":"S"}}]}""",
        "grids.geojson: feature 0 (grid G1): a grid needs a Polygon geometry, not a Point (field geometry.type).")]
    [InlineData("grids.geojson", """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[121.40,31.17],[121.41,31.17],[121.41,31.18],[121.40,31.17]]]},"properties":{"code":"G1"}}]}""",
        "grids.geojson: feature 0 (grid G1): parent '' is not a street of the tree (field properties.parent).")]
    [InlineData("devices.geojson", """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[121.405,31.175]},"properties":{"kind":"Camera","name":"探头"}}]}""",
        "devices.geojson feature 0: a device needs an id (field properties.id).")]
    [InlineData("devices.geojson", """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[121.405,31.175],[121.406,31.176]]},"properties":{"id":"CAM-1","kind":"Camera"}}]}""",
        "devices.geojson feature 0 (device CAM-1): a device needs a Point geometry, not a LineString (field geometry.type).")]
    public void A_feature_without_a_required_property_is_refused_naming_the_file_the_feature_and_the_field(string file, string json, string message)
    {
        var path = Write(DevicesManifest.Replace("TREE", Tree, StringComparison.Ordinal), file == "grids.geojson" ? json : Grid());
        if (file == "devices.geojson")
        {
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, file), json);
        }

        var error = Assert.Throws<InvalidDataException>(() => CityImport.Load(path));

        Assert.Equal(message, error.Message);
    }

    private const string SwappedGrid =
        """{"type":"FeatureCollection","features":[{"type":"Feature","id":"G1","geometry":{"type":"Polygon","coordinates":[[[31.17,121.40],[31.17,121.41],[31.18,121.41],[31.17,121.40]]]},"properties":{"code":"G1","parent":"S"}}]}""";

    private const string SwappedGridError =
        "grids.geojson: Feature 0 (id G1): position [31.17,121.40] is outside longitude -180..180 / latitude -90..90 (is it [latitude, longitude]?) (field geometry.coordinates[0][0]).";

    [Fact]
    public void A_grids_file_in_latitude_longitude_order_is_refused_naming_the_file_the_feature_and_the_field()
    {
        var path = Write($$"""{ "name": "x", "coordinateSystem": "Gcj02", {{Tree}}, "grids": "grids.geojson" }""", SwappedGrid);

        var error = Assert.Throws<GeoJsonFormatException>(() => CityImport.Load(path));

        Assert.Equal(SwappedGridError, error.Message);
    }

    [Fact]
    public async Task The_silo_refuses_to_start_on_a_bad_grids_file_and_says_why_on_one_line()
    {
        var path = Write($$"""{ "name": "x", "coordinateSystem": "Wgs84", {{Tree}}, "grids": "grids.geojson" }""", SwappedGrid);
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "CityOps.Twin.Silo"))
        {
            ArgumentList = { "--city", path, "--storage", "memory" },
            WorkingDirectory = Path.GetDirectoryName(path)!,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };

        using var silo = Process.Start(start)!;
        var errors = silo.StandardError.ReadToEndAsync();
        _ = silo.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await silo.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, silo.ExitCode);
        Assert.Equal($"cityops-twin: {SwappedGridError}", (await errors).Trim());
    }

    [Fact]
    public async Task The_headless_drill_refuses_a_bad_grids_file_and_says_why_on_one_line()
    {
        var path = Write($$"""{ "name": "x", "coordinateSystem": "Wgs84", {{Tree}}, "grids": "grids.geojson" }""", SwappedGrid);
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "CityOps.Twin.Silo"))
        {
            ArgumentList = { "drill", "typhoon-tide", "--city", path, "--report", Path.Combine(Path.GetDirectoryName(path)!, "report") },
            WorkingDirectory = Path.GetDirectoryName(path)!,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };

        using var drill = Process.Start(start)!;
        var errors = drill.StandardError.ReadToEndAsync();
        _ = drill.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await drill.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, drill.ExitCode);
        Assert.Equal($"cityops-twin drill: {SwappedGridError}", (await errors).Trim());
    }
}
