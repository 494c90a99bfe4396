using System.Text.Json;
using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>
/// Checks a GeoJSON geometry object before NetTopologySuite builds it, so that a bad one is refused with the field and what
/// is wrong with it (NTS's own exceptions name neither): the type is one the twin imports, every position is
/// [longitude, latitude] within range, a line string has two positions, and a polygon ring has four and closes.
/// </summary>
internal static class GeoJsonGeometryCheck
{
    /// <summary>Throws <see cref="GeoJsonFormatException"/> naming the field (from "geometry" down) of the first fault found.</summary>
    public static void Check(JsonElement geometry)
    {
        var type = geometry.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String
            ? typeElement.GetString()
            : null;
        if (type is not ("Point" or "LineString" or "Polygon" or "MultiPoint" or "MultiLineString" or "MultiPolygon"))
        {
            throw Fault($"geometry type '{type ?? "missing"}' is not supported (Point, LineString, Polygon and their Multi forms are)",
                "geometry.type");
        }
        const string field = "geometry.coordinates";
        if (!geometry.TryGetProperty("coordinates", out var coordinates))
        {
            throw Fault($"{type} has no coordinates", field);
        }

        switch (type)
        {
            case "Point":
                Position(coordinates, field);
                break;
            case "LineString":
                LineString(coordinates, field);
                break;
            case "MultiPoint":
                foreach (var (position, path) in Items(coordinates, field))
                {
                    Position(position, path);
                }
                break;
            case "Polygon":
                Polygon(coordinates, field);
                break;
            case "MultiLineString":
                foreach (var (line, path) in Items(coordinates, field))
                {
                    LineString(line, path);
                }
                break;
            default:
                foreach (var (polygon, path) in Items(coordinates, field))
                {
                    Polygon(polygon, path);
                }
                break;
        }
    }

    private static void LineString(JsonElement positions, string field)
    {
        var count = Positions(positions, field);
        if (count < 2)
        {
            throw Fault($"a line string has {count} position(s); it needs at least 2", field);
        }
    }

    private static void Polygon(JsonElement rings, string field)
    {
        var all = Items(rings, field).ToList();
        if (all.Count == 0)
        {
            throw Fault("a polygon has no rings", field);
        }
        foreach (var (ring, path) in all)
        {
            var count = Positions(ring, path);
            if (count < 4)
            {
                throw Fault($"a polygon ring has {count} positions; RFC 7946 needs at least 4", path);
            }
            var (first, last) = (ring[0], ring[count - 1]);
            if (first[0].GetDouble() != last[0].GetDouble() || first[1].GetDouble() != last[1].GetDouble())
            {
                throw Fault("a polygon ring does not end where it starts", path);
            }
        }
    }

    private static int Positions(JsonElement positions, string field)
    {
        var count = 0;
        foreach (var (position, path) in Items(positions, field))
        {
            Position(position, path);
            count++;
        }
        return count;
    }

    private static void Position(JsonElement position, string field)
    {
        if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2
            || position.EnumerateArray().Any(ordinate => ordinate.ValueKind != JsonValueKind.Number))
        {
            throw Fault($"position {position.GetRawText()} is not [longitude, latitude]", field);
        }
        if (!new GeoPoint(position[0].GetDouble(), position[1].GetDouble()).IsValid)
        {
            throw Fault($"position {position.GetRawText()} is outside longitude -180..180 / latitude -90..90 (is it [latitude, longitude]?)",
                field);
        }
    }

    private static IEnumerable<(JsonElement Item, string Path)> Items(JsonElement array, string field) =>
        array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select((item, index) => (item, $"{field}[{index}]"))
            : throw Fault($"{array.GetRawText()} is not an array of coordinates", field);

    private static GeoJsonFormatException Fault(string what, string field) => new($"{what} (field {field}).");
}
