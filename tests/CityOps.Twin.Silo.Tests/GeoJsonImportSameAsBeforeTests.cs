using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Spatial;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Tests.Support;
using NetTopologySuite.Features;

namespace CityOps.Twin.Silo.Tests;

/// <summary>
/// The shipped OpenStreetMap streets, the real district and camera files and the demo city built from the streets, read
/// through NetTopologySuite.IO.GeoJSON4STJ, give what the hand-written reader gave. Every expected value below was
/// recorded by running the hand-written GeoJsonReader on main at commit 8ab2571 (before it was replaced) over the same
/// files, with the same <see cref="Digest"/>: counts, a SHA-256 over every feature's id and every coordinate in
/// round-trip form (so one bit of one coordinate changes it), and a few known features. The demo city's fingerprint is
/// <see cref="CityModel.Fingerprint"/> of that run: its grids, streets, districts and every device.
/// </summary>
public sealed class GeoJsonImportSameAsBeforeTests
{
    /// <summary>The first 16 hex digits of a SHA-256 over "id=GeometryType:x,y;x,y…" of every feature, "|"-joined, in file order.</summary>
    private static string Digest(IReadOnlyList<IFeature> features)
    {
        static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var text = string.Join("|", features.Select(f =>
            $"{f.IdText()}={f.Geometry.GeometryType}:{string.Join(";", f.Geometry.Coordinates.Select(c => R(c.X) + "," + R(c.Y)))}"));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    private static (double X, double Y) First(IFeature feature) => (feature.Geometry.Coordinate.X, feature.Geometry.Coordinate.Y);

    [Fact]
    public void The_shipped_OpenStreetMap_streets_read_as_before()
    {
        using var osm = typeof(DemoCity).Assembly.GetManifestResourceStream("CityOps.Twin.Silo.osm-streets.wgs84.json")!;

        var streets = GeoJsonImport.ReadFeatures(osm, CoordinateSystem.Wgs84);

        Assert.Equal(8, streets.Count);
        Assert.Equal(1251, streets.Sum(s => s.Geometry.NumPoints));
        Assert.Equal("C63639751EF2592C", Digest(streets));
        Assert.Equal(("大宁路街道", "Polygon", 64, (121.4361119, 31.2958245)),
            (streets[0].Text("referenceAdminName"), streets[0].Geometry.GeometryType, streets[0].Geometry.NumPoints, First(streets[0])));
        Assert.Equal(("徐泾镇", "Polygon", 248, (121.2225187, 31.1810228)),
            (streets[7].Text("referenceAdminName"), streets[7].Geometry.GeometryType, streets[7].Geometry.NumPoints, First(streets[7])));
    }

    [Fact]
    public void The_real_GCJ02_district_polygons_read_and_convert_as_before()
    {
        var districts = GeoJsonImport.ReadFeatures(SharedData.Path("shanghai-districts-gcj02", "310000.json"), CoordinateSystem.Gcj02);

        Assert.Equal(16, districts.Count);
        Assert.Equal(3433, districts.Sum(d => d.Geometry.NumPoints));
        Assert.Equal("339FCDA6B8737E85", Digest(districts));
        Assert.Equal(("黄浦区", "MultiPolygon", 35, (121.47146019220186, 31.189840676846117)),
            (districts[0].Text("name"), districts[0].Geometry.GeometryType, districts[0].Geometry.NumPoints, First(districts[0])));
        Assert.Equal(("崇明区", "MultiPolygon", 225, (121.97095042425045, 31.61903561529342)),
            (districts[15].Text("name"), districts[15].Geometry.GeometryType, districts[15].Geometry.NumPoints, First(districts[15])));
    }

    [Fact]
    public void The_real_camera_positions_read_as_before()
    {
        var cameras = GeoJsonImport.ReadFeatures(SharedData.Path("shanghai-cameras", "shanghai_epolice_cameras.wgs84.geojson"), CoordinateSystem.Wgs84);

        Assert.Equal(4120, cameras.Count);
        Assert.Equal("3A99FD039AFAAB57", Digest(cameras));
        Assert.Equal(("0", "外环高速沪闵路内侧上匝道", (121.40728746586996, 31.142883821684464)),
            (cameras[0].IdText(), cameras[0].Text("position"), First(cameras[0])));
        Assert.Equal(("2261", "军工路进民星路南约20米", (121.53937886932877, 31.31364932039463)),
            (cameras[2060].IdText(), cameras[2060].Text("position"), First(cameras[2060])));
        Assert.Equal(("4499", "宜山路进合川路西约50米", (121.38056693047237, 31.166882105852622)),
            (cameras[4119].IdText(), cameras[4119].Text("position"), First(cameras[4119])));
    }

    [Fact]
    public void The_demo_city_has_the_same_grids_and_devices_as_before()
    {
        var city = DemoCity.Build();

        Assert.Equal((3465, 2400, 1200, 600), (city.Grids.Count(), city.Sensors.Count, city.Cameras.Count, city.Elevators.Count));
        var grid = city.Grids.Single(g => g.Code == "310118-xujing-676");
        Assert.Equal(("徐泾镇 第676网格", 6, new GeoPoint(121.27565, 31.135497)), (grid.Name, grid.Outline[0].Count, grid.Outline[0][0]));
        Assert.Equal(("310115-jinqiao-172", new GeoPoint(121.62545, 31.254828)), (city.Cameras[0].GridCode, city.Cameras[0].Position));
        Assert.Equal(("310115-zhangjiang-188", new GeoPoint(121.614077, 31.210074)), (city.Sensors[0].GridCode, city.Sensors[0].Position));
        Assert.Equal("F1BCE47A86220535E478BDD7D1CBA666CE7A9F5521232D19D91346B0D4BC721C", city.Fingerprint());
    }
}
