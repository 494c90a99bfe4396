using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Silo.City;

/// <summary>A whole city as imported: the area tree (city, districts, streets, grids) and every device's file.</summary>
public sealed record CityModel(
    string Name,
    IReadOnlyList<AreaDefinition> Areas,
    IReadOnlyList<SensorFile> Sensors,
    IReadOnlyList<CameraFile> Cameras,
    IReadOnlyList<ElevatorFile> Elevators)
{
    public IEnumerable<AreaDefinition> Grids => Areas.Where(a => a.Level == AreaLevel.Grid);

    /// <summary>Changes whenever anything imported changes: the seeder re-files the city only then.</summary>
    public string Fingerprint()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(System.Text.Encoding.UTF8.GetBytes(text + "\n"));
        foreach (var area in Areas)
        {
            Add($"{area.Code}|{area.Name}|{area.Level}|{area.ParentCode}|{area.Team}|{string.Join(';', area.Outline.SelectMany(r => r))}");
        }
        foreach (var sensor in Sensors)
        {
            Add(sensor.ToString());
        }
        foreach (var camera in Cameras)
        {
            Add(camera.ToString());
        }
        foreach (var elevator in Elevators)
        {
            Add(elevator.ToString());
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
