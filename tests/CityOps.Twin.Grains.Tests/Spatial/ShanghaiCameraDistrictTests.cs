using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Spatial;
using CityOps.Twin.Grains.Tests.Support;
using NetTopologySuite.Features;
using NetTopologySuite.Operation.Distance;

namespace CityOps.Twin.Grains.Tests.Spatial;

/// <summary>
/// The 4,120 real traffic-camera positions (WGS84) against the real district polygons (GCJ-02): with the
/// polygons converted on import every camera lands in its district; read as if they were WGS84, the
/// cameras near district borders land in the neighbouring district.
/// </summary>
public sealed class ShanghaiCameraDistrictTests
{
    private static readonly IReadOnlyList<IFeature> Cameras =
        GeoJsonImport.ReadFeatures(SharedData.Path("shanghai-cameras", "shanghai_epolice_cameras.wgs84.geojson"), CoordinateSystem.Wgs84);

    private static readonly string DistrictsFile = SharedData.Path("shanghai-districts-gcj02", "310000.json");

    /// <summary>
    /// Checked by hand from each camera's address: ten intersections whose district is certain, all within a
    /// few hundred metres of a district border, and one camera on Chongming island far from any border.
    /// </summary>
    public static TheoryData<string, string, string> HandCheckedSample => new()
    {
        { "95", "马当路进淮海中路北约70米", "黄浦区" },
        { "112", "山东北路出宁波路北约10米", "黄浦区" },
        { "140", "浦东南路东侧南浦大桥入口匝道", "浦东新区" },
        { "359", "浦东南路西侧南浦大桥入口匝道", "浦东新区" },
        { "978", "西藏南路出淮海中路南约45米", "黄浦区" },
        { "252", "龙华西路出龙吴路东约30米", "徐汇区" },
        { "27", "桂林路进钦州北路北约20米", "徐汇区" },
        { "549", "江宁路出海防路北约5米", "静安区" },
        { "555", "新闸路出昌化路西约10米", "静安区" },
        { "967", "延庆路东湖路南约0米", "徐汇区" },
        { "1", "G40沪陕高速（上行）近28.6KM路段（南向北）", "崇明区" },
    };

    [Theory]
    [MemberData(nameof(HandCheckedSample))]
    public void A_camera_lands_in_its_real_district_once_the_GCJ02_polygons_are_converted(string id, string position, string district)
    {
        var locator = Districts(CoordinateSystem.Gcj02);
        var camera = Cameras.Single(c => c.IdText() == id);

        Assert.Equal(position, camera.Text("position"));
        Assert.True(locator.TryLocate(PositionOf(camera), out var located));
        Assert.Equal(district, located);
    }

    [Fact]
    public void Skipping_the_conversion_moves_border_cameras_into_the_wrong_district()
    {
        var converted = Districts(CoordinateSystem.Gcj02);
        var unconverted = Districts(CoordinateSystem.Wgs84);
        var polygons = GeoJsonImport.ReadFeatures(DistrictsFile, CoordinateSystem.Gcj02);

        var moved = Cameras.Where(c =>
        {
            converted.TryLocate(PositionOf(c), out var right);
            unconverted.TryLocate(PositionOf(c), out var wrong);
            return right != wrong;
        }).ToList();

        // The hand-checked border cameras are among those the mistake moves.
        var sample = HandCheckedSample.Select(row => (string)row[0]).Where(id => id != "1");
        Assert.All(sample, id => Assert.Contains(moved, c => c.IdText() == id));
        Assert.InRange(moved.Count, 150, 250);

        // Every camera the mistake moves is near a border: within the GCJ-02 offset (at most about 700 m) of one.
        foreach (var camera in moved)
        {
            var point = Wgs84.Factory.CreatePoint(camera.Geometry.Coordinate);
            var nearestBorder = polygons.Min(d => DistanceOp.Distance(d.Geometry.Boundary, point));
            Assert.True(nearestBorder * 111_000 < 800, $"camera {camera.IdText()} moved though {nearestBorder * 111_000:0} m from any border");
        }
    }

    [Fact]
    public void Nearly_every_camera_lies_in_one_of_the_sixteen_districts()
    {
        var locator = Districts(CoordinateSystem.Gcj02);

        var outside = Cameras.Count(c => !locator.TryLocate(PositionOf(c), out _));

        Assert.Equal(4_120, Cameras.Count);
        // A handful of geocoded positions fall in the river mouth or on the sea wall, outside every polygon.
        Assert.InRange(outside, 0, 10);
    }

    private static AreaLocator<string> Districts(CoordinateSystem system) =>
        new(GeoJsonImport.ReadFeatures(DistrictsFile, system).Select(d => (d.Text("name")!, d.Geometry)));

    private static GeoPoint PositionOf(IFeature camera) => new(camera.Geometry.Coordinate.X, camera.Geometry.Coordinate.Y);
}
