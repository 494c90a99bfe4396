using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.IO.Converters;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>A feature's id and properties as the text an import files: strings as they are, numbers as written in the file.</summary>
public static class FeatureText
{
    public static string? IdText(this IFeature feature) => Format(feature.GetOptionalId(GeoJsonConverterFactory.DefaultIdPropertyName));

    public static string? Text(this IFeature feature, string property) => feature.Attributes switch
    {
        // Read from the JSON itself, so a number keeps the digits the file gave it (NTS boxes numbers as decimal).
        JsonElementAttributesTable json => json.RootElement.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null,
        { } attributes => Format(attributes.GetOptionalValue(property)),
        null => null,
    };

    private static string? Format(object? value) => value switch
    {
        string text => text,
        decimal or double or int or long => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => null,
    };
}
