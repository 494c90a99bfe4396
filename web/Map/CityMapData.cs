using System.Globalization;
using System.Text.Json;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Web.Map;

/// <summary>
/// The map's fixed layer, sent to the browser once: every area's outline and every device's position, as
/// compact JSON (flat coordinate arrays, six decimals, about 10 cm). What changes travels separately, as
/// small updates over the view's connection.
/// </summary>
public sealed class CityMapData(ICityDirectory city)
{
    private readonly Lazy<byte[]> _json = new(() => Build(city));

    public byte[] Json => _json.Value;

    private static byte[] Build(ICityDirectory city)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("name", city.Name);
            json.WriteStartArray("areas");
            foreach (var area in city.Areas.Values.OrderBy(a => a.Level).ThenBy(a => a.Code, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("code", area.Code);
                json.WriteString("name", area.Name);
                json.WriteNumber("level", (int)area.Level);
                json.WriteStartArray("rings");
                foreach (var ring in area.Outline)
                {
                    WriteCoordinates(json, ring);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            WriteDevices(json, "sensors", city.Sensors.Values.Select(s => (s.SensorId, s.Position)), city.Sensors.Values.Select(s => (int)s.Kind).ToList());
            WriteDevices(json, "cameras", city.Cameras.Values.Select(c => (c.CameraId, c.Position)));
            WriteDevices(json, "elevators", city.Elevators.Values.Select(e => (e.ElevatorId, e.Position)));
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Each device as "id": [lon, lat] or, with kinds, [lon, lat, kind].</summary>
    private static void WriteDevices(Utf8JsonWriter json, string name, IEnumerable<(string Id, GeoPoint Position)> devices, IReadOnlyList<int>? kinds = null)
    {
        json.WriteStartObject(name);
        var index = 0;
        foreach (var (id, position) in devices)
        {
            WriteCoordinates(json, [position], id, kinds?[index++]);
        }
        json.WriteEndObject();
    }

    private static void WriteCoordinates(Utf8JsonWriter json, IEnumerable<GeoPoint> points, string? name = null, int? kind = null)
    {
        if (name is null)
        {
            json.WriteStartArray();
        }
        else
        {
            json.WriteStartArray(name);
        }
        foreach (var point in points)
        {
            json.WriteRawValue(Math.Round(point.Longitude, 6).ToString(CultureInfo.InvariantCulture));
            json.WriteRawValue(Math.Round(point.Latitude, 6).ToString(CultureInfo.InvariantCulture));
        }
        if (kind is { } k)
        {
            json.WriteNumberValue(k);
        }
        json.WriteEndArray();
    }
}
