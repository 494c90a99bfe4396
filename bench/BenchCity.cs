using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Bench;

/// <summary>
/// A city of the size a benchmark asks for: districts of streets of grids, and sensors spread evenly over the
/// grids, four flood kinds and two safety kinds in turn (as the demo city mixes them). Sensor i lies in grid
/// i mod grids, so every grid, street and district carries the same load.
/// </summary>
internal sealed class BenchCity : ICityDirectory
{
    private static readonly SensorKind[] Kinds =
        [SensorKind.Waterlogging, SensorKind.RiverLevel, SensorKind.HazardousGas, SensorKind.Rainfall, SensorKind.Tide, SensorKind.BridgeStrain];

    public BenchCity(int sensors, int districts = 4, int streetsPerDistrict = 10, int gridsPerStreet = 25)
    {
        var areas = new List<AreaDefinition> { new(IAreaGrain.CityCode, "基准城", AreaLevel.City, null, []) };
        for (var d = 0; d < districts; d++)
        {
            areas.Add(new AreaDefinition($"D{d}", $"区 {d}", AreaLevel.District, IAreaGrain.CityCode, []));
            for (var s = 0; s < streetsPerDistrict; s++)
            {
                areas.Add(new AreaDefinition($"D{d}S{s}", $"街镇 {d}-{s}", AreaLevel.Street, $"D{d}", []));
                for (var g = 0; g < gridsPerStreet; g++)
                {
                    areas.Add(new AreaDefinition($"D{d}S{s}G{g}", $"网格 {d}-{s}-{g}", AreaLevel.Grid, $"D{d}S{s}", [], "城运一组"));
                }
            }
        }
        Areas = areas.ToDictionary(a => a.Code, StringComparer.Ordinal);
        Grids = [.. areas.Where(a => a.Level == AreaLevel.Grid)];
        DistrictOfGrid = Grids.Select(g => int.Parse(g.Code[1..g.Code.IndexOf('S')], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        SensorFiles = [.. Enumerable.Range(0, sensors).Select(i => new SensorFile(
            SensorId(i), Kinds[i % Kinds.Length], $"传感器 {i}", new GeoPoint(121.2 + i % 1000 * 6e-4, 31.0 + i / 1000 % 1000 * 4e-4), Grids[GridOf(i)].Code))];
        Sensors = SensorFiles.ToDictionary(s => s.SensorId, StringComparer.Ordinal);
        Districts = districts;
    }

    public string Name => "bench";

    public int Districts { get; }

    public IReadOnlyList<AreaDefinition> Grids { get; }

    /// <summary>The district number of each grid, by the grid's index in <see cref="Grids"/>.</summary>
    public int[] DistrictOfGrid { get; }

    /// <summary>The sensors by number: sensor i is <c>SensorFiles[i]</c>.</summary>
    public IReadOnlyList<SensorFile> SensorFiles { get; }

    public IReadOnlyDictionary<string, AreaDefinition> Areas { get; }

    public IReadOnlyDictionary<string, SensorFile> Sensors { get; }

    public IReadOnlyDictionary<string, CameraFile> Cameras { get; } = new Dictionary<string, CameraFile>();

    public IReadOnlyDictionary<string, ElevatorFile> Elevators { get; } = new Dictionary<string, ElevatorFile>();

    public Task Filed => Task.CompletedTask;

    public int GridOf(int sensor) => sensor % Grids.Count;

    public static string SensorId(int i) => $"S-{i:D7}";

    public DeviceKind? KindOf(string deviceId) => Sensors.ContainsKey(deviceId) ? DeviceKind.Sensor : null;

    public string? GridAt(GeoPoint point) => null;

    public Task<IReadOnlyList<NearbyCamera>> NearestCamerasAsync(GeoPoint point, int count, bool onlineOnly = false) => Task.FromResult<IReadOnlyList<NearbyCamera>>([]);

    public IReadOnlyList<NearbySensor> NearestSensors(GeoPoint point, int count) => [];
}
