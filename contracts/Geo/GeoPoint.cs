namespace CityOps.Twin.Contracts.Geo;

/// <summary>
/// A position in WGS84 (the system the twin stores), longitude first as in GeoJSON (RFC 7946). Anything in
/// GCJ-02 is converted on import with <see cref="CoordinateConversion"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Geo.GeoPoint")]
public readonly record struct GeoPoint([property: Id(0)] double Longitude, [property: Id(1)] double Latitude)
{
    /// <summary>Mean Earth radius (IUGG), metres.</summary>
    public const double EarthRadiusMeters = 6_371_008.8;

    /// <summary>Great-circle distance in metres (haversine): exact enough for a city, to well under a metre.</summary>
    public double DistanceTo(GeoPoint other)
    {
        var lat1 = Latitude * Math.PI / 180;
        var lat2 = other.Latitude * Math.PI / 180;
        var dLat = lat2 - lat1;
        var dLon = (other.Longitude - Longitude) * Math.PI / 180;
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(lat1) * Math.Cos(lat2) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsValid => double.IsFinite(Longitude) && double.IsFinite(Latitude) && Longitude is >= -180 and <= 180 && Latitude is >= -90 and <= 90;

    public override string ToString() => FormattableString.Invariant($"{Longitude:0.######},{Latitude:0.######}");

    /// <summary>The point as people read and type it, latitude first: "lat 31.14307, long 121.49659".</summary>
    public string ToLatLongString() => FormattableString.Invariant($"lat {Latitude}, long {Longitude}");
}
