using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Spatial;
using CityOps.Twin.Grains.Tests.Support;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Distance;

namespace CityOps.Twin.Grains.Tests.Geo;

public sealed class CoordinateConversionTests
{
    [Fact]
    public void Converting_to_GCJ02_and_back_returns_the_point_within_a_centimetre_anywhere_in_Shanghai()
    {
        var random = new Random(20260721);
        for (var i = 0; i < 10_000; i++)
        {
            var wgs84 = new GeoPoint(120.85 + random.NextDouble() * 1.1, 30.67 + random.NextDouble() * 1.25);

            var back = CoordinateConversion.Gcj02ToWgs84(CoordinateConversion.Wgs84ToGcj02(wgs84));

            Assert.True(wgs84.DistanceTo(back) < 0.01, $"{wgs84} came back as {back}");
        }
    }

    [Fact]
    public void The_GCJ02_offset_in_Shanghai_is_some_hundreds_of_metres()
    {
        var random = new Random(7);
        for (var i = 0; i < 1_000; i++)
        {
            var wgs84 = new GeoPoint(120.85 + random.NextDouble() * 1.1, 30.67 + random.NextDouble() * 1.25);

            var offset = wgs84.DistanceTo(CoordinateConversion.Wgs84ToGcj02(wgs84));

            Assert.InRange(offset, 100, 700);
        }
    }

    [Fact]
    public void Outside_mainland_China_the_two_systems_coincide()
    {
        var boston = new GeoPoint(-71.0587, 42.3594);

        Assert.Equal(boston, CoordinateConversion.Wgs84ToGcj02(boston));
        Assert.Equal(boston, CoordinateConversion.Gcj02ToWgs84(boston));
    }

    /// <summary>
    /// An independent check on real data: OpenStreetMap street polygons (WGS84) share stretches of border with
    /// the Amap district polygons (GCJ-02). Measured from the nearest-fifth of a street's vertices, the district
    /// line is hundreds of metres away if the GCJ-02 file is read as WGS84, tens once it is converted.
    /// </summary>
    [Theory]
    [InlineData("大宁路街道", "310106")]
    [InlineData("徐泾镇", "310118")]
    [InlineData("三林镇", "310115")]
    [InlineData("莘庄镇", "310112")]
    public void Converted_district_borders_meet_the_OpenStreetMap_street_borders(string street, string district)
    {
        var osm = GeoJsonImport.ReadFeatures(SharedData.Path("shanghai-osm", "admin-references.wgs84.json"), CoordinateSystem.Wgs84)
            .Single(f => f.Text("referenceAdminName") == street);
        var file = SharedData.Path("shanghai-districts-gcj02", $"{district}.json");

        var converted = NearestFifthMeters(osm.Geometry, GeoJsonImport.ReadFeatures(file, CoordinateSystem.Gcj02).Single().Geometry);
        var unconverted = NearestFifthMeters(osm.Geometry, GeoJsonImport.ReadFeatures(file, CoordinateSystem.Wgs84).Single().Geometry);

        Assert.True(converted < 60, $"{street}: converted border {converted:0} m away");
        Assert.True(unconverted > 140, $"{street}: unconverted border only {unconverted:0} m away");
    }

    private static double NearestFifthMeters(Geometry street, Geometry district)
    {
        var border = district.Boundary;
        var distances = street.Coordinates
            .Select(c => new GeoPoint(c.X, c.Y).DistanceTo(ClosestOn(border, c)))
            .Order()
            .ToList();
        return distances[distances.Count / 5];
    }

    private static GeoPoint ClosestOn(Geometry border, Coordinate c)
    {
        var closest = DistanceOp.NearestPoints(border, Wgs84.Factory.CreatePoint(c))[0];
        return new GeoPoint(closest.X, closest.Y);
    }
}
