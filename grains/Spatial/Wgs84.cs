using NetTopologySuite.Geometries;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>The twin's one coordinate system: WGS84 longitude/latitude (SRID 4326), as RFC 7946 GeoJSON and OpenStreetMap use.</summary>
public static class Wgs84
{
    /// <summary>Builds every geometry of the twin, imported or computed, in floating precision.</summary>
    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);
}
