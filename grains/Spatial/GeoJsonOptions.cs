using System.Text.Json;
using NetTopologySuite.IO.Converters;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>
/// System.Text.Json options that read and write GeoJSON through NetTopologySuite.IO.GeoJSON4STJ: geometries are built by
/// <see cref="Wgs84.Factory"/>, and polygons are written as RFC 7946 §3.1.6 asks (exterior rings counter-clockwise,
/// holes clockwise), whatever orientation they were built with. No "bbox" and no "crs" member is written.
/// </summary>
public static class GeoJsonOptions
{
    public static readonly JsonSerializerOptions Rfc7946 = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            Converters =
            {
                new GeoJsonConverterFactory(Wgs84.Factory, writeGeometryBBox: false, GeoJsonConverterFactory.DefaultIdPropertyName,
                    RingOrientationOption.EnforceRfc9746),
            },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
