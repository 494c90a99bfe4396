using System.Text.Json;
using CityOps.Twin.Contracts.Geo;
using NetTopologySuite.Geometries;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>
/// Reads GeoJSON (RFC 7946: [longitude, latitude]) into NetTopologySuite geometries in WGS84. The caller says
/// which coordinate system the file is in, and every coordinate is converted on the way in, so nothing in
/// GCJ-02 reaches the twin. Takes a FeatureCollection, or a bare array of features as DataV/Amap exports write.
/// Points, line strings, polygons and their multi forms; anything else is refused with the feature's index.
/// </summary>
public static class GeoJsonReader
{
    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    public static IReadOnlyList<GeoJsonFeature> ReadFeatures(Stream json, CoordinateSystem system)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            throw new GeoJsonFormatException($"Not JSON: {exception.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            var features = root.ValueKind switch
            {
                JsonValueKind.Array => root,
                JsonValueKind.Object when Type(root) == "FeatureCollection" && root.TryGetProperty("features", out var list) && list.ValueKind == JsonValueKind.Array => list,
                JsonValueKind.Object => throw new GeoJsonFormatException($"Expected a FeatureCollection with a \"features\" array; the document's type is '{Type(root) ?? "missing"}'."),
                _ => throw new GeoJsonFormatException("Expected a FeatureCollection or an array of features."),
            };

            var result = new List<GeoJsonFeature>(features.GetArrayLength());
            var index = 0;
            foreach (var feature in features.EnumerateArray())
            {
                result.Add(ReadFeature(feature, index++, system));
            }
            return result;
        }
    }

    public static IReadOnlyList<GeoJsonFeature> ReadFeatures(string path, CoordinateSystem system)
    {
        using var stream = File.OpenRead(path);
        try
        {
            return ReadFeatures(stream, system);
        }
        catch (GeoJsonFormatException exception)
        {
            throw new GeoJsonFormatException($"{Path.GetFileName(path)}: {exception.Message}");
        }
    }

    private static GeoJsonFeature ReadFeature(JsonElement feature, int index, CoordinateSystem system)
    {
        if (feature.ValueKind != JsonValueKind.Object || Type(feature) != "Feature")
        {
            throw new GeoJsonFormatException($"Feature {index}: not a GeoJSON Feature object.");
        }
        if (!feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object)
        {
            throw new GeoJsonFormatException($"Feature {index}: has no geometry.");
        }

        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (feature.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in props.EnumerateObject())
            {
                properties[property.Name] = property.Value.Clone();
            }
        }

        string? id = null;
        if (feature.TryGetProperty("id", out var idElement))
        {
            id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : idElement.GetRawText();
        }

        try
        {
            return new GeoJsonFeature(id, ReadGeometry(geometry, system), properties);
        }
        catch (GeoJsonFormatException exception)
        {
            throw new GeoJsonFormatException($"Feature {index}{(id is null ? string.Empty : $" (id {id})")}: {exception.Message}");
        }
    }

    private static Geometry ReadGeometry(JsonElement geometry, CoordinateSystem system)
    {
        var type = Type(geometry);
        if (!geometry.TryGetProperty("coordinates", out var coordinates))
        {
            throw new GeoJsonFormatException($"{type ?? "geometry"} has no coordinates.");
        }

        return type switch
        {
            "Point" => Factory.CreatePoint(Coordinate(coordinates, system)),
            "LineString" => Factory.CreateLineString(Coordinates(coordinates, system)),
            "Polygon" => Polygon(coordinates, system),
            "MultiPoint" => Factory.CreateMultiPoint(Coordinates(coordinates, system).Select(c => Factory.CreatePoint(c)).ToArray()),
            "MultiLineString" => Factory.CreateMultiLineString(Items(coordinates).Select(l => Factory.CreateLineString(Coordinates(l, system))).ToArray()),
            "MultiPolygon" => Factory.CreateMultiPolygon(Items(coordinates).Select(p => Polygon(p, system)).ToArray()),
            _ => throw new GeoJsonFormatException($"geometry type '{type ?? "missing"}' is not supported (Point, LineString, Polygon and their Multi forms are)."),
        };
    }

    private static Polygon Polygon(JsonElement rings, CoordinateSystem system)
    {
        var all = Items(rings).Select(r => Ring(r, system)).ToArray();
        if (all.Length == 0)
        {
            throw new GeoJsonFormatException("a polygon has no rings.");
        }
        return Factory.CreatePolygon(all[0], all[1..]);
    }

    private static LinearRing Ring(JsonElement ring, CoordinateSystem system)
    {
        var coordinates = Coordinates(ring, system);
        if (coordinates.Length < 4)
        {
            throw new GeoJsonFormatException($"a polygon ring has {coordinates.Length} positions; RFC 7946 needs at least 4.");
        }
        if (!coordinates[0].Equals2D(coordinates[^1]))
        {
            throw new GeoJsonFormatException("a polygon ring does not end where it starts.");
        }
        return Factory.CreateLinearRing(coordinates);
    }

    private static Coordinate[] Coordinates(JsonElement positions, CoordinateSystem system) =>
        Items(positions).Select(p => Coordinate(p, system)).ToArray();

    private static IEnumerable<JsonElement> Items(JsonElement array) =>
        array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : throw new GeoJsonFormatException("coordinates must be arrays.");

    private static Coordinate Coordinate(JsonElement position, CoordinateSystem system)
    {
        if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2
            || position[0].ValueKind != JsonValueKind.Number || position[1].ValueKind != JsonValueKind.Number)
        {
            throw new GeoJsonFormatException($"position {position.GetRawText()} is not [longitude, latitude].");
        }

        var source = new GeoPoint(position[0].GetDouble(), position[1].GetDouble());
        if (!source.IsValid)
        {
            throw new GeoJsonFormatException($"position {position.GetRawText()} is outside longitude -180..180 / latitude -90..90 (is it [latitude, longitude]?).");
        }
        var wgs84 = CoordinateConversion.ToWgs84(source, system);
        return new Coordinate(wgs84.Longitude, wgs84.Latitude);
    }

    private static string? Type(JsonElement element) =>
        element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
}
