using System.Text.Json;
using NetTopologySuite.Geometries;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>One imported GeoJSON feature: its geometry in WGS84 and its properties as read.</summary>
public sealed record GeoJsonFeature(string? Id, Geometry Geometry, IReadOnlyDictionary<string, JsonElement> Properties)
{
    public string? Text(string property) => Properties.TryGetValue(property, out var value)
        ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        }
        : null;
}

/// <summary>A GeoJSON document that cannot be imported; the message names the feature and what is wrong with it.</summary>
public sealed class GeoJsonFormatException(string message) : Exception(message);
