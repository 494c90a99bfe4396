using System.Globalization;
using System.Text.Json;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Web.Map;

/// <summary>
/// The map's fixed layer, sent to the browser once: every area's outline, every device's position and the context
/// around the city (metro, elevated roads), as
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
            WriteContext(json, city);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>How far around the city's areas the context is drawn: about 3 km, enough to place the city among its neighbours.</summary>
    private const double ContextMarginDegrees = 0.03;

    public const string Attribution = "© OpenStreetMap contributors (ODbL)";

    /// <summary>
    /// Where the commander is: the metro lines, stations and elevated roads near the city (OpenStreetMap, shipped with
    /// the view, see Map/README.md), each line as flat [lon, lat, ...] paths, each station as [lon, lat, name].
    /// </summary>
    private static void WriteContext(Utf8JsonWriter json, ICityDirectory city)
    {
        var points = city.Areas.Values.SelectMany(a => a.Outline).SelectMany(r => r).ToList();
        if (points.Count == 0)
        {
            return;
        }
        var (minLon, maxLon) = (points.Min(p => p.Longitude) - ContextMarginDegrees, points.Max(p => p.Longitude) + ContextMarginDegrees);
        var (minLat, maxLat) = (points.Min(p => p.Latitude) - ContextMarginDegrees, points.Max(p => p.Latitude) + ContextMarginDegrees);
        bool Near(JsonElement point) => point[0].GetDouble() is var lon && lon >= minLon && lon <= maxLon
            && point[1].GetDouble() is var lat && lat >= minLat && lat <= maxLat;

        using var stream = typeof(CityMapData).Assembly.GetManifestResourceStream("CityOps.Twin.Web.transport-network.wgs84.json")
            ?? throw new InvalidOperationException("transport-network.wgs84.json is missing from the web assembly.");
        using var network = JsonDocument.Parse(stream);
        json.WriteStartObject("context");
        json.WriteString("attribution", Attribution);
        foreach (var (name, property) in new[] { ("metro", "metroLines"), ("elevated", "elevatedRoads") })
        {
            json.WriteStartArray(name);
            foreach (var line in network.RootElement.GetProperty(property).EnumerateArray())
            {
                foreach (var path in line.GetProperty("paths").EnumerateArray().Where(p => p.EnumerateArray().Any(Near)))
                {
                    WriteCoordinates(json, path.EnumerateArray().Select(p => new GeoPoint(p[0].GetDouble(), p[1].GetDouble())));
                }
            }
            json.WriteEndArray();
        }
        json.WriteStartArray("stations");
        foreach (var station in network.RootElement.GetProperty("metroStations").EnumerateArray().Where(s => Near(s.GetProperty("position"))))
        {
            var position = station.GetProperty("position");
            json.WriteStartArray();
            json.WriteNumberValue(Math.Round(position[0].GetDouble(), 6));
            json.WriteNumberValue(Math.Round(position[1].GetDouble(), 6));
            json.WriteStringValue(station.GetProperty("name").GetString());
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
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
