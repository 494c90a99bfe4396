using System.Text;
using System.Text.Json;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Spatial;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;

namespace CityOps.Twin.Grains.Tests.Spatial;

public sealed class GeoJsonImportTests
{
    private static IReadOnlyList<IFeature> Read(string json, CoordinateSystem system = CoordinateSystem.Wgs84) =>
        GeoJsonImport.ReadFeatures(new MemoryStream(Encoding.UTF8.GetBytes(json)), system);

    [Fact]
    public void A_GCJ02_point_is_stored_in_WGS84()
    {
        var gcj02 = CoordinateConversion.Wgs84ToGcj02(new GeoPoint(121.4737, 31.2304));

        var json = """{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[LON,LAT]},"properties":{"name":"人民广场"}}]}"""
            .Replace("LON", gcj02.Longitude.ToString("R", System.Globalization.CultureInfo.InvariantCulture))
            .Replace("LAT", gcj02.Latitude.ToString("R", System.Globalization.CultureInfo.InvariantCulture));

        var feature = Read(json, CoordinateSystem.Gcj02).Single();

        Assert.Equal("7", feature.IdText());
        Assert.Equal("人民广场", feature.Text("name"));
        Assert.True(new GeoPoint(feature.Geometry.Coordinate.X, feature.Geometry.Coordinate.Y).DistanceTo(new GeoPoint(121.4737, 31.2304)) < 0.01);
    }

    [Theory]
    [InlineData("""{"type":"Topology"}""", "the document's type is 'Topology'")]
    [InlineData("""[{"type":"Feature","geometry":{"type":"Circle","coordinates":[1,2]}}]""", "Feature 0: geometry type 'Circle' is not supported")]
    [InlineData("""[{"type":"Feature","geometry":{"type":"Point","coordinates":[121.4]}}]""", "Feature 0: position [121.4] is not [longitude, latitude]")]
    [InlineData("""[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,1]}},{"type":"Feature","id":"g9","geometry":{"type":"Point","coordinates":[31.2,121.4]}}]""", "Feature 1 (id g9): position [31.2,121.4] is outside")]
    [InlineData("""[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]""", "Feature 0: a polygon ring does not end where it starts")]
    [InlineData("""[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}]""", "Feature 0: a polygon ring has 3 positions")]
    [InlineData("""[{"type":"Feature"}]""", "Feature 0: has no geometry")]
    [InlineData("""{"type":"FeatureCollection","features":[""", "Not JSON")]
    public void A_malformed_document_is_refused_with_the_feature_and_what_is_wrong(string json, string message)
    {
        var error = Assert.Throws<GeoJsonFormatException>(() => Read(json));

        Assert.Contains(message, error.Message);
    }

    private const string GoodGrid =
        """{"type":"Feature","id":"G1","geometry":{"type":"Polygon","coordinates":[[[121.40,31.17],[121.41,31.17],[121.41,31.18],[121.40,31.18],[121.40,31.17]]]},"properties":{"code":"G1"}}""";

    private static string WriteFile(string name, string json)
    {
        var folder = Path.Combine(Path.GetTempPath(), "cityops-geojson", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>A file of two features whose second (index 1) is bad in one way; the error says which file, feature and field.</summary>
    [Theory]
    [InlineData("""{"type":"Feature","id":"G2","properties":{"code":"G2"}}""",
        "Feature 1 (id G2): has no geometry (field geometry).")]
    [InlineData("""{"type":"Feature","id":"G2","geometry":null,"properties":{"code":"G2"}}""",
        "Feature 1 (id G2): has no geometry (field geometry).")]
    [InlineData("""{"type":"Feature","id":"G2","geometry":{"type":"Polygon","coordinates":[[[121.41,31.17],[121.42,31.17],[121.42,31.18],[121.41,31.18]]]}}""",
        "Feature 1 (id G2): a polygon ring does not end where it starts (field geometry.coordinates[0]).")]
    [InlineData("""{"type":"Feature","id":"D2","geometry":{"type":"MultiPolygon","coordinates":[[[[121.4,31.1],[121.5,31.1],[121.5,31.2],[121.4,31.1]],[[121.42,31.12],[121.44,31.12],[121.44,31.14],[121.42,31.13]]]]}}""",
        "Feature 1 (id D2): a polygon ring does not end where it starts (field geometry.coordinates[0][1]).")]
    [InlineData("""{"type":"Feature","id":"CAM-2","geometry":{"type":"Point","coordinates":[31.17,121.40]}}""",
        "Feature 1 (id CAM-2): position [31.17,121.40] is outside longitude -180..180 / latitude -90..90 (is it [latitude, longitude]?) (field geometry.coordinates).")]
    [InlineData("""{"type":"Feature","id":"G2","geometry":{"type":"Polygon","coordinates":[[[31.17,121.41],[31.17,121.42],[31.18,121.42],[31.17,121.41]]]}}""",
        "Feature 1 (id G2): position [31.17,121.41] is outside longitude -180..180 / latitude -90..90 (is it [latitude, longitude]?) (field geometry.coordinates[0][0]).")]
    [InlineData("""{"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[181.5,31.17]}}""",
        "Feature 1 (id 7): position [181.5,31.17] is outside longitude -180..180 / latitude -90..90 (is it [latitude, longitude]?) (field geometry.coordinates).")]
    [InlineData("""{"type":"Feature","geometry":{"type":"LineString","coordinates":[[121.4,31.1],["121.5","31.2"]]}}""",
        """Feature 1: position ["121.5","31.2"] is not [longitude, latitude] (field geometry.coordinates[1]).""")]
    [InlineData("""{"type":"Feature","id":"G2","geometry":{"type":"GeometryCollection","geometries":[]}}""",
        "Feature 1 (id G2): geometry type 'GeometryCollection' is not supported (Point, LineString, Polygon and their Multi forms are) (field geometry.type).")]
    [InlineData("""{"type":"Feature","id":"G2","geometry":{"type":"Point","coordinates":[121.4,31.1]},"properties":["G2"]}""",
        "Feature 1 (id G2): properties must be an object, not Array (field properties).")]
    public void A_bad_feature_in_a_file_is_refused_naming_the_file_the_feature_and_the_field(string badFeature, string message)
    {
        var path = WriteFile("grids.geojson", $$"""{"type":"FeatureCollection","features":[{{GoodGrid}},{{badFeature}}]}""");

        var error = Assert.Throws<GeoJsonFormatException>(() => GeoJsonImport.ReadFeatures(path, CoordinateSystem.Wgs84));

        Assert.Equal($"grids.geojson: {message}", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_JSON_is_refused_naming_the_file_and_the_line_where_it_stops_parsing()
    {
        var path = WriteFile("districts.json", $$"""
            {"type":"FeatureCollection","features":[
              {{GoodGrid}},
              {"type":"Feature","id":"G2",,"geometry":null}
            ]}
            """);

        var error = Assert.Throws<GeoJsonFormatException>(() => GeoJsonImport.ReadFeatures(path, CoordinateSystem.Gcj02));

        Assert.StartsWith("districts.json: Not JSON at line 3, byte 31:", error.Message);
    }

    [Fact]
    public void A_polygon_is_written_longitude_first_with_its_exterior_ring_counter_clockwise_and_its_holes_clockwise()
    {
        // Built the wrong way round for RFC 7946: a clockwise exterior ring and a counter-clockwise hole.
        LinearRing Ring(params double[] lonLat) => Wgs84.Factory.CreateLinearRing(lonLat.Chunk(2).Select(p => new Coordinate(p[0], p[1])).ToArray());
        var shell = Ring(121.40, 31.17, 121.40, 31.18, 121.41, 31.18, 121.41, 31.17, 121.40, 31.17);
        var hole = Ring(121.402, 31.172, 121.408, 31.172, 121.408, 31.178, 121.402, 31.178, 121.402, 31.172);
        var grid = new Feature(Wgs84.Factory.CreatePolygon(shell, [hole]), new AttributesTable { { "code", "G1" } });

        using var written = JsonDocument.Parse(JsonSerializer.Serialize<IFeature>(grid, GeoJsonOptions.Rfc7946));

        var geometry = written.RootElement.GetProperty("geometry");
        var rings = geometry.GetProperty("coordinates").EnumerateArray()
            .Select(ring => ring.EnumerateArray().Select(p => (Longitude: p[0].GetDouble(), Latitude: p[1].GetDouble())).ToList()).ToList();
        static double TwiceSignedArea(List<(double Longitude, double Latitude)> ring) =>
            ring.Zip(ring.Skip(1), (a, b) => a.Longitude * b.Latitude - b.Longitude * a.Latitude).Sum();
        Assert.True(TwiceSignedArea(rings[0]) > 0, "the exterior ring is written clockwise");
        Assert.True(TwiceSignedArea(rings[1]) < 0, "the hole is written counter-clockwise");
        Assert.All(rings.SelectMany(r => r), p => Assert.True(p.Longitude is > 121 and < 122 && p.Latitude is > 31 and < 32, $"{p} is not [longitude, latitude]"));
        Assert.False(written.RootElement.TryGetProperty("crs", out _));
        Assert.False(geometry.TryGetProperty("crs", out _));
        // Read back through the import, it is the same polygon.
        var readBack = GeoJsonImport.ReadFeatures(new MemoryStream(Encoding.UTF8.GetBytes($"[{written.RootElement.GetRawText()}]")), CoordinateSystem.Wgs84).Single();
        Assert.True(readBack.Geometry.EqualsTopologically(grid.Geometry));
        Assert.Equal("G1", readBack.Text("code"));
    }
}
