using System.Text.Json;

namespace CityOps.Twin.Bench;

/// <summary>
/// The quick modes' city (the cluster and views benchmarks): 64 grids of about 250 m in one street, 64 waterlogging
/// sensors and a camera, filed in a moment where the demo city takes about ten seconds a silo.
/// </summary>
internal sealed class SmallCity : IDisposable
{
    private readonly TempFolder _folder = new();

    public string[] Arguments => ["--city", Path.Combine(_folder.Path, "city.json")];

    public static SmallCity Write()
    {
        var city = new SmallCity();
        const double West = 121.60, South = 31.20, Step = 0.0025;
        var grids = new List<object>();
        var devices = new List<string> { "id,kind,sensorKind,name,longitude,latitude" };
        for (var row = 0; row < 8; row++)
        {
            for (var column = 0; column < 8; column++)
            {
                double x = West + column * Step, y = South + row * Step;
                grids.Add(new
                {
                    type = "Feature",
                    properties = new { code = $"BENCH-{row}{column}", name = $"网格 {row}{column}", parent = "bench-street" },
                    geometry = new { type = "Polygon", coordinates = new[] { new[] { new[] { x, y }, [x + Step, y], [x + Step, y + Step], [x, y + Step], [x, y] } } },
                });
                devices.Add(FormattableString.Invariant($"WL-{row}{column},Sensor,Waterlogging,积水点 {row}{column},{x + Step / 2},{y + Step / 2}"));
            }
        }
        devices.Add(FormattableString.Invariant($"CAM-0,Camera,,探头 0,{West + Step / 3},{South + Step / 3}"));
        File.WriteAllText(Path.Combine(city._folder.Path, "grids.geojson"), JsonSerializer.Serialize(new { type = "FeatureCollection", features = grids }));
        File.WriteAllLines(Path.Combine(city._folder.Path, "devices.csv"), devices);
        File.WriteAllText(Path.Combine(city._folder.Path, "city.json"), JsonSerializer.Serialize(new
        {
            name = "Cluster benchmark city",
            coordinateSystem = "Wgs84",
            tree = new object[]
            {
                new { code = "city", name = "上海市", level = "City" },
                new { code = "bench-district", name = "基准区", level = "District", parent = "city" },
                new { code = "bench-street", name = "基准街道", level = "Street", parent = "bench-district" },
            },
            grids = "grids.geojson",
            devices = "devices.csv",
        }));
        return city;
    }

    public void Dispose() => _folder.Dispose();
}
