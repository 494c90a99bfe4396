using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Spatial;
using CityOps.Twin.Grains.Tests.Support;

namespace CityOps.Twin.Grains.Tests.Spatial;

public sealed class NearestIndexTests
{
    private static readonly IReadOnlyList<(string Id, GeoPoint Position)> Cameras =
        GeoJsonImport.ReadFeatures(SharedData.Path("shanghai-cameras", "shanghai_epolice_cameras.wgs84.geojson"), CoordinateSystem.Wgs84)
            .Select(c => (c.IdText()!, new GeoPoint(c.Geometry.Coordinate.X, c.Geometry.Coordinate.Y)))
            .ToList();

    [Fact]
    public void The_three_nearest_of_the_4120_real_cameras_equal_a_brute_force_search_for_a_thousand_random_points()
    {
        var index = new NearestIndex<string>(Cameras);
        var random = new Random(310000);

        for (var i = 0; i < 1_000; i++)
        {
            var point = new GeoPoint(120.9 + random.NextDouble() * 1.0, 30.7 + random.NextDouble() * 1.2);

            var found = index.Nearest(point, 3);
            var bruteForce = Cameras.Select(c => (c.Id, Distance: point.DistanceTo(c.Position))).OrderBy(c => c.Distance).Take(3).ToList();

            Assert.Equal(bruteForce.Select(c => c.Id), found.Select(c => c.Item));
            Assert.Equal(bruteForce.Select(c => c.Distance), found.Select(c => c.DistanceMeters));
        }
    }

    [Fact]
    public void A_filter_such_as_online_only_still_gives_the_nearest_that_pass_it()
    {
        var index = new NearestIndex<string>(Cameras);
        var offline = Cameras.Where((_, i) => i % 3 != 0).Select(c => c.Id).ToHashSet();
        var random = new Random(42);

        for (var i = 0; i < 200; i++)
        {
            var point = new GeoPoint(121.2 + random.NextDouble() * 0.6, 30.9 + random.NextDouble() * 0.5);

            var found = index.Nearest(point, 3, id => !offline.Contains(id));
            var bruteForce = Cameras.Where(c => !offline.Contains(c.Id)).OrderBy(c => point.DistanceTo(c.Position)).Take(3).Select(c => c.Id);

            Assert.Equal(bruteForce, found.Select(c => c.Item));
        }
    }

    [Theory]
    [InlineData(119.5, 29.8)]
    [InlineData(123.2, 32.6)]
    [InlineData(121.47, 33.0)]
    public void A_point_far_outside_the_cameras_still_gets_the_nearest_of_them(double longitude, double latitude)
    {
        var index = new NearestIndex<string>(Cameras);
        var point = new GeoPoint(longitude, latitude);

        var found = index.Nearest(point, 25);

        Assert.Equal(Cameras.OrderBy(c => point.DistanceTo(c.Position)).Take(25).Select(c => c.Id), found.Select(c => c.Item));
    }

    [Fact]
    public void Fewer_items_than_asked_gives_all_of_them_nearest_first()
    {
        var index = new NearestIndex<string>([("far", new GeoPoint(121.5, 31.3)), ("near", new GeoPoint(121.47, 31.23))]);

        var found = index.Nearest(new GeoPoint(121.4737, 31.2304), 3);

        Assert.Equal(["near", "far"], found.Select(f => f.Item));
    }
}
