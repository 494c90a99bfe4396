using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Spatial;
using NetTopologySuite.Geometries;

namespace CityOps.Twin.Silo.City;

/// <summary>
/// The built-in demo city, made only of data the project may ship: eight real Shanghai street/town polygons
/// from OpenStreetMap (ODbL, © OpenStreetMap contributors; osm-streets.wgs84.json) cut into management grids on
/// a 250 m lattice, and devices generated inside them at a realistic density from a fixed seed, so every start
/// builds the same city.
/// </summary>
public static class DemoCity
{
    /// <summary>Management grids in Shanghai are some 200-300 m across (Jinshan: 325 grids; Minhang: 75 disposal grids).</summary>
    public const double GridSizeMeters = 250;

    /// <summary>A cell cut by a street border keeps its piece if at least this share of a full cell: smaller slivers belong to no grid.</summary>
    public const double SliverShare = 0.2;

    public const int Seed = 20210725;

    // Counts chosen to meet the density (at least 1,000 cameras, 2,000 sensors, 500 elevators) over ~200 km².
    private const int CameraCount = 1_200;
    private const int ElevatorCount = 600;
    private static readonly (SensorKind Kind, string Prefix, string Label, int Count)[] SensorMix =
    [
        (SensorKind.Waterlogging, "WL", "积水点", 900),
        (SensorKind.RiverLevel, "RV", "河道水位站", 400),
        (SensorKind.Rainfall, "RF", "雨量站", 200),
        (SensorKind.Tide, "TD", "潮位站", 40),
        (SensorKind.HazardousGas, "GS", "有害气体监测", 500),
        (SensorKind.BridgeStrain, "BS", "桥梁应变", 180),
        (SensorKind.BridgeCrack, "BC", "桥梁裂缝", 180),
    ];

    private static readonly (string OsmName, string Key, string DistrictCode, string DistrictName)[] Streets =
    [
        ("大宁路街道", "daning", "310106", "静安区"),
        ("张江镇", "zhangjiang", "310115", "浦东新区"),
        ("金桥镇", "jinqiao", "310115", "浦东新区"),
        ("三林镇", "sanlin", "310115", "浦东新区"),
        ("北蔡镇", "beicai", "310115", "浦东新区"),
        ("古美路街道", "gumei", "310112", "闵行区"),
        ("莘庄镇", "xinzhuang", "310112", "闵行区"),
        ("徐泾镇", "xujing", "310118", "青浦区"),
    ];

    private static readonly string[] Maintainers = ["迅达 Schindler", "奥的斯 Otis", "三菱 Mitsubishi", "日立 Hitachi", "通力 KONE", "蒂森 thyssenkrupp"];

    public static CityModel Build()
    {
        using var osm = typeof(DemoCity).Assembly.GetManifestResourceStream("CityOps.Twin.Silo.osm-streets.wgs84.json")
            ?? throw new InvalidOperationException("osm-streets.wgs84.json is missing from the silo assembly.");
        var streetShapes = GeoJsonImport.ReadFeatures(osm, CoordinateSystem.Wgs84, "osm-streets.wgs84.json")
            .ToDictionary(f => f.Text("referenceAdminName") ?? throw new InvalidDataException("an OSM street has no referenceAdminName"), f => f.Geometry);

        var areas = new List<AreaDefinition> { new(IAreaGrain.CityCode, "上海市 Shanghai", AreaLevel.City, null, []) };
        foreach (var district in Streets.DistinctBy(s => s.DistrictCode))
        {
            areas.Add(new AreaDefinition(district.DistrictCode, district.DistrictName, AreaLevel.District, IAreaGrain.CityCode, []));
        }

        var grids = new List<(AreaDefinition Grid, Geometry Shape)>();
        // Cutting the streets into cells is most of a silo's start: the streets are cut side by side, in order.
        var cut = Streets.AsParallel().AsOrdered().Select(street => (Street: street, Shape: streetShapes.TryGetValue(street.OsmName, out var found)
                ? found
                : throw new InvalidDataException($"osm-streets.wgs84.json has no street named {street.OsmName}."))).Select(s => (s.Street, s.Shape, Cells: Cut(s.Shape).ToList())).ToList();
        // A district is drawn as the outline of its streets together (the demo city has only some of each district's
        // streets): every ring of their union, closed over the slivers a 10 m simplification leaves between neighbours.
        foreach (var district in cut.GroupBy(c => c.Street.DistrictCode))
        {
            var union = Wgs84.Factory.BuildGeometry(district.Select(c => c.Shape.Buffer(Sliver))).Union().Buffer(-Sliver);
            var index = areas.FindIndex(a => a.Code == district.Key);
            areas[index] = areas[index] with { Outline = [.. Polygons(union).SelectMany(Outline)] };
        }
        foreach (var (street, shape, cells) in cut)
        {
            var streetCode = $"{street.DistrictCode}-{street.Key}";
            areas.Add(new AreaDefinition(streetCode, street.OsmName, AreaLevel.Street, street.DistrictCode, Outline(shape)));
            var number = 0;
            foreach (var cell in cells)
            {
                number++;
                var grid = new AreaDefinition($"{streetCode}-{number:D3}", $"{street.OsmName} 第{number}网格", AreaLevel.Grid, streetCode, Outline(cell),
                    Team: $"{street.OsmName}城运{(number - 1) / 20 + 1}组");
                areas.Add(grid);
                // Devices are placed in the grid as stored (outline rounded to 6 decimals), the shape every lookup uses.
                grids.Add((grid, Shape(grid.Outline)));
            }
        }

        var random = new Random(Seed);
        var totalArea = grids.Sum(g => g.Shape.Area);
        (AreaDefinition Grid, GeoPoint Point) Place()
        {
            // A grid is chosen with probability proportional to its area, then a point inside it.
            var pick = random.NextDouble() * totalArea;
            var (grid, shape) = grids.First(g => (pick -= g.Shape.Area) <= 0 || ReferenceEquals(g.Grid, grids[^1].Grid));
            var envelope = shape.EnvelopeInternal;
            while (true)
            {
                // Rounded to 6 decimals (about 0.1 m) first, so the stored position is the one tested to lie inside.
                var candidate = new Coordinate(
                    Math.Round(envelope.MinX + random.NextDouble() * envelope.Width, 6),
                    Math.Round(envelope.MinY + random.NextDouble() * envelope.Height, 6));
                if (shape.Contains(Wgs84.Factory.CreatePoint(candidate)))
                {
                    return (grid, new GeoPoint(candidate.X, candidate.Y));
                }
            }
        }

        var sensors = new List<SensorFile>();
        foreach (var (kind, prefix, label, count) in SensorMix)
        {
            for (var i = 1; i <= count; i++)
            {
                var (grid, point) = Place();
                sensors.Add(new SensorFile($"{prefix}-{i:D5}", kind, $"{label} {prefix}-{i:D5}", point, grid.Code));
            }
        }

        var cameras = new List<CameraFile>();
        for (var i = 1; i <= CameraCount; i++)
        {
            var (grid, point) = Place();
            cameras.Add(new CameraFile($"CAM-{i:D5}", $"探头 CAM-{i:D5} {grid.Name}", point, grid.Code));
        }

        var elevators = new List<ElevatorFile>();
        var firstDay = new DateOnly(2026, 1, 1);
        for (var i = 1; i <= ElevatorCount; i++)
        {
            var (grid, point) = Place();
            var last = firstDay.AddDays(random.Next(0, 180));
            var building = $"{grid.Name.Split(' ')[0]} {random.Next(1, 400)}号楼";
            elevators.Add(new ElevatorFile($"ELV-{i:D5}", building, $"{building} {random.Next(1, 7)}号梯", point, grid.Code,
                Maintainers[random.Next(Maintainers.Length)], last, last.AddDays(15)));
        }

        return new CityModel("CityOps.Twin demo city (OpenStreetMap streets)", areas, sensors, cameras, elevators);
    }

    /// <summary>The street cut by a lattice of <see cref="GridSizeMeters"/> cells anchored at 120°E 30°N, so cells line up across streets.</summary>
    private static IEnumerable<Geometry> Cut(Geometry street)
    {
        var envelope = street.EnvelopeInternal;
        var cellLatitude = GridSizeMeters / 111_320.0;
        var cellLongitude = GridSizeMeters / (111_320.0 * Math.Cos(envelope.Centre.Y * Math.PI / 180));
        var full = cellLatitude * cellLongitude;
        // Cells that miss the street are skipped by the prepared shape's quick test instead of a full overlay each.
        var prepared = NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(street);
        var firstRow = (int)Math.Floor((envelope.MinY - 30) / cellLatitude);
        var lastRow = (int)Math.Floor((envelope.MaxY - 30) / cellLatitude);
        var firstColumn = (int)Math.Floor((envelope.MinX - 120) / cellLongitude);
        var lastColumn = (int)Math.Floor((envelope.MaxX - 120) / cellLongitude);
        for (var row = lastRow; row >= firstRow; row--)
        {
            for (var column = firstColumn; column <= lastColumn; column++)
            {
                var cell = Wgs84.Factory.ToGeometry(new Envelope(
                    120 + column * cellLongitude, 120 + (column + 1) * cellLongitude, 30 + row * cellLatitude, 30 + (row + 1) * cellLatitude));
                if (!prepared.Intersects(cell))
                {
                    continue;
                }
                var piece = cell.Intersection(street);
                var largest = piece is MultiPolygon many ? many.Geometries.MaxBy(g => g.Area)! : piece;
                if (largest is Polygon && largest.Area >= SliverShare * full)
                {
                    yield return largest;
                }
            }
        }
    }

    public static Polygon Shape(IReadOnlyList<IReadOnlyList<GeoPoint>> outline)
    {
        LinearRing Ring(IReadOnlyList<GeoPoint> ring) => Wgs84.Factory.CreateLinearRing(ring.Select(p => new Coordinate(p.Longitude, p.Latitude)).ToArray());
        return Wgs84.Factory.CreatePolygon(Ring(outline[0]), outline.Skip(1).Select(Ring).ToArray());
    }

    /// <summary>About 10 m in degrees: the gap a 10 m simplification may leave between two neighbouring streets.</summary>
    private const double Sliver = 1e-4;

    private static IEnumerable<Geometry> Polygons(Geometry shape) =>
        shape is MultiPolygon many ? many.Geometries : [shape];

    private static IReadOnlyList<IReadOnlyList<GeoPoint>> Outline(Geometry shape)
    {
        var polygon = shape as Polygon ?? (Polygon)((MultiPolygon)shape).Geometries.MaxBy(g => g.Area)!;
        return [.. new[] { polygon.ExteriorRing }.Concat(polygon.InteriorRings)
            .Select(ring => (IReadOnlyList<GeoPoint>)ring.Coordinates.Select(c => new GeoPoint(Math.Round(c.X, 6), Math.Round(c.Y, 6))).ToList())];
    }
}
