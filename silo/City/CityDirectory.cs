using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Silo.City;

/// <summary>
/// The city as the API and the twin view see it: the registry's files and indexes, with live camera status from
/// the grains of one silo (the live one, or a drill's copy).
/// </summary>
public sealed class CityDirectory(CityRegistry registry, IClusterClient client, Func<Task> filed) : ICityDirectory
{
    public string Name => registry.City.Name;

    public IReadOnlyDictionary<string, AreaDefinition> Areas => registry.Areas;

    public IReadOnlyDictionary<string, SensorFile> Sensors => registry.Sensors;

    public IReadOnlyDictionary<string, CameraFile> Cameras => registry.Cameras;

    public IReadOnlyDictionary<string, ElevatorFile> Elevators => registry.Elevators;

    public Task Filed => filed();

    public DeviceKind? KindOf(string deviceId) => registry.KindOf(deviceId);

    public string? GridAt(GeoPoint point) => registry.GridAt(point);

    public async Task<IReadOnlyList<NearbyCamera>> NearestCamerasAsync(GeoPoint point, int count, bool onlineOnly = false)
    {
        var onlineNow = onlineOnly
            ? (await Task.WhenAll(registry.Cameras.Keys.Select(async id => (Id: id, Online: (await client.GetGrain<ICameraGrain>(id).GetSnapshot())?.Online ?? false))))
                .Where(c => c.Online).Select(c => c.Id).ToHashSet(StringComparer.Ordinal)
            : null;
        var nearest = registry.CameraIndex.Nearest(point, count, onlineNow is null ? null : onlineNow.Contains);
        return await Task.WhenAll(nearest.Select(async n =>
        {
            var file = registry.Cameras[n.Item];
            var live = await client.GetGrain<ICameraGrain>(n.Item).GetSnapshot();
            return new NearbyCamera(file.CameraId, file.Name, file.Position, Math.Round(n.DistanceMeters, 1), live?.Online ?? false);
        }));
    }

    public IReadOnlyList<NearbySensor> NearestSensors(GeoPoint point, int count) =>
        [.. registry.SensorIndex.Nearest(point, count).Select(n => new NearbySensor(registry.Sensors[n.Item], Math.Round(n.DistanceMeters, 1)))];
}
