namespace CityOps.Twin.Contracts.Geo;

/// <summary>
/// The coordinate system of imported data. Shanghai data comes in both: WGS84 from GPS and OpenStreetMap,
/// GCJ-02 from Amap and most Chinese map services (offset 100-700 m). Every import names its system.
/// </summary>
public enum CoordinateSystem
{
    Wgs84,
    Gcj02,
}
