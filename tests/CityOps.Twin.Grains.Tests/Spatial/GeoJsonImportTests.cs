using System.Text;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Spatial;
using NetTopologySuite.Features;

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
}
