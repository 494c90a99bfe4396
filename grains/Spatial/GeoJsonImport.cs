using System.Text.Json;
using CityOps.Twin.Contracts.Geo;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>
/// Imports GeoJSON (RFC 7946: [longitude, latitude]) through NetTopologySuite.IO.GeoJSON4STJ as features in WGS84. The
/// caller says which coordinate system the file is in, and every coordinate is converted on the way in, so nothing in
/// GCJ-02 reaches the twin. Takes a FeatureCollection, or a bare array of features as DataV/Amap exports write. Each
/// feature is checked before NTS reads it, so a bad file is refused naming the file, the feature (index and id) and the
/// field that is wrong.
/// </summary>
public static class GeoJsonImport
{
    public static IReadOnlyList<IFeature> ReadFeatures(string path, CoordinateSystem system)
    {
        using var stream = File.OpenRead(path);
        return ReadFeatures(stream, system, Path.GetFileName(path));
    }

    /// <param name="source">The file's name, put in front of every error; none for a stream that is no file.</param>
    public static IReadOnlyList<IFeature> ReadFeatures(Stream json, CoordinateSystem system, string? source = null)
    {
        try
        {
            return Read(json, system);
        }
        catch (GeoJsonFormatException exception) when (source is not null)
        {
            throw new GeoJsonFormatException($"{source}: {exception.Message}");
        }
    }

    private static List<IFeature> Read(Stream json, CoordinateSystem system)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            // No feature can be named in a file that does not parse: the line and byte where parsing stopped say where.
            throw new GeoJsonFormatException(
                $"Not JSON at line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1}: {exception.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            var features = root.ValueKind switch
            {
                JsonValueKind.Array => root,
                JsonValueKind.Object when TypeOf(root) == "FeatureCollection"
                    && root.TryGetProperty("features", out var list) && list.ValueKind == JsonValueKind.Array => list,
                JsonValueKind.Object => throw new GeoJsonFormatException(
                    $"Expected a FeatureCollection with a \"features\" array; the document's type is '{TypeOf(root) ?? "missing"}'."),
                _ => throw new GeoJsonFormatException("Expected a FeatureCollection or an array of features."),
            };
            return [.. features.EnumerateArray().Select((feature, index) => ReadFeature(feature, index, system))];
        }
    }

    private static IFeature ReadFeature(JsonElement element, int index, CoordinateSystem system)
    {
        if (element.ValueKind != JsonValueKind.Object || TypeOf(element) != "Feature")
        {
            throw new GeoJsonFormatException($"Feature {index}: not a GeoJSON Feature object (field type).");
        }
        var feature = $"Feature {index}{IdLabel(element)}";
        if (!element.TryGetProperty("geometry", out var geometry) || geometry.ValueKind != JsonValueKind.Object)
        {
            throw new GeoJsonFormatException($"{feature}: has no geometry (field geometry).");
        }
        if (element.TryGetProperty("properties", out var properties)
            && properties.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw new GeoJsonFormatException(
                $"{feature}: properties must be an object, not {properties.ValueKind} (field properties).");
        }
        try
        {
            GeoJsonGeometryCheck.Check(geometry);
        }
        catch (GeoJsonFormatException exception)
        {
            throw new GeoJsonFormatException($"{feature}: {exception.Message}");
        }

        IFeature read;
        try
        {
            read = element.Deserialize<IFeature>(GeoJsonOptions.Rfc7946) ?? throw new JsonException("the feature is null");
        }
        // After the check, what NTS may still refuse (an "id" that is an object, a bad "bbox") it says in its own words.
        catch (Exception exception)
            when (exception is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException)
        {
            throw new GeoJsonFormatException($"{feature}: {exception.Message}");
        }
        if (system != CoordinateSystem.Wgs84)
        {
            read.Geometry.Apply(new ToWgs84(system));
        }
        return read;
    }

    private static string IdLabel(JsonElement feature) => feature.TryGetProperty("id", out var id)
        ? $" (id {(id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText())})"
        : string.Empty;

    private static string? TypeOf(JsonElement element) =>
        element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    /// <summary>Moves every coordinate of a geometry from the file's system to WGS84, in place.</summary>
    private sealed class ToWgs84(CoordinateSystem from) : ICoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence sequence, int index)
        {
            var wgs84 = CoordinateConversion.ToWgs84(new GeoPoint(sequence.GetX(index), sequence.GetY(index)), from);
            sequence.SetX(index, wgs84.Longitude);
            sequence.SetY(index, wgs84.Latitude);
        }
    }
}
