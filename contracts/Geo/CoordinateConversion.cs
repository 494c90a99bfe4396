namespace CityOps.Twin.Contracts.Geo;

/// <summary>
/// WGS84 ↔ GCJ-02. GCJ-02 is WGS84 shifted by a published nonlinear function on the Krasovsky 1940 ellipsoid
/// inside mainland China (no shift outside it). WGS84 → GCJ-02 is that function; GCJ-02 → WGS84 has no closed
/// form and is solved by fixed-point iteration to well below a centimetre.
/// </summary>
public static class CoordinateConversion
{
    // Krasovsky 1940 ellipsoid: semi-major axis (m) and first eccentricity squared, as the GCJ-02 algorithm uses them.
    private const double SemiMajorAxis = 6_378_245.0;
    private const double EccentricitySquared = 0.00669342162296594323;

    // Iteration stops when the round trip is within this many degrees (about 1 mm).
    private const double InverseTolerance = 1e-8;
    private const int InverseMaxIterations = 30;

    public static GeoPoint ToWgs84(GeoPoint point, CoordinateSystem from) => from switch
    {
        CoordinateSystem.Wgs84 => point,
        CoordinateSystem.Gcj02 => Gcj02ToWgs84(point),
        _ => throw new ArgumentOutOfRangeException(nameof(from), from, "unknown coordinate system"),
    };

    public static GeoPoint FromWgs84(GeoPoint point, CoordinateSystem to) => to switch
    {
        CoordinateSystem.Wgs84 => point,
        CoordinateSystem.Gcj02 => Wgs84ToGcj02(point),
        _ => throw new ArgumentOutOfRangeException(nameof(to), to, "unknown coordinate system"),
    };

    public static GeoPoint Wgs84ToGcj02(GeoPoint wgs84)
    {
        if (IsOutsideChina(wgs84))
        {
            return wgs84;
        }

        var x = wgs84.Longitude - 105.0;
        var y = wgs84.Latitude - 35.0;
        var dLat = TransformLatitude(x, y);
        var dLon = TransformLongitude(x, y);
        var radLat = wgs84.Latitude / 180.0 * Math.PI;
        var magic = 1 - EccentricitySquared * Math.Sin(radLat) * Math.Sin(radLat);
        var sqrtMagic = Math.Sqrt(magic);
        dLat = dLat * 180.0 / (SemiMajorAxis * (1 - EccentricitySquared) / (magic * sqrtMagic) * Math.PI);
        dLon = dLon * 180.0 / (SemiMajorAxis / sqrtMagic * Math.Cos(radLat) * Math.PI);
        return new GeoPoint(wgs84.Longitude + dLon, wgs84.Latitude + dLat);
    }

    public static GeoPoint Gcj02ToWgs84(GeoPoint gcj02)
    {
        if (IsOutsideChina(gcj02))
        {
            return gcj02;
        }

        var guess = gcj02;
        for (var i = 0; i < InverseMaxIterations; i++)
        {
            var shifted = Wgs84ToGcj02(guess);
            var dLon = gcj02.Longitude - shifted.Longitude;
            var dLat = gcj02.Latitude - shifted.Latitude;
            guess = new GeoPoint(guess.Longitude + dLon, guess.Latitude + dLat);
            if (Math.Abs(dLon) < InverseTolerance && Math.Abs(dLat) < InverseTolerance)
            {
                break;
            }
        }
        return guess;
    }

    /// <summary>The rectangle the GCJ-02 algorithm shifts; outside it the two systems coincide.</summary>
    public static bool IsOutsideChina(GeoPoint point) =>
        point.Longitude is < 72.004 or > 137.8347 || point.Latitude is < 0.8293 or > 55.8271;

    private static double TransformLatitude(double x, double y)
    {
        var result = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.Sqrt(Math.Abs(x));
        result += (20.0 * Math.Sin(6.0 * x * Math.PI) + 20.0 * Math.Sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
        result += (20.0 * Math.Sin(y * Math.PI) + 40.0 * Math.Sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
        result += (160.0 * Math.Sin(y / 12.0 * Math.PI) + 320 * Math.Sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
        return result;
    }

    private static double TransformLongitude(double x, double y)
    {
        var result = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.Sqrt(Math.Abs(x));
        result += (20.0 * Math.Sin(6.0 * x * Math.PI) + 20.0 * Math.Sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
        result += (20.0 * Math.Sin(x * Math.PI) + 40.0 * Math.Sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
        result += (150.0 * Math.Sin(x / 12.0 * Math.PI) + 300.0 * Math.Sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
        return result;
    }
}
