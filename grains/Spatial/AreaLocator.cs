using CityOps.Twin.Contracts.Geo;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Distance;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>
/// Which area (district, street, grid) a point lies in: an STRtree over the areas' bounding boxes, then an exact
/// test against the prepared polygon. A point on a shared border belongs to the first area that covers it.
/// </summary>
public sealed class AreaLocator<T>
{
    private readonly STRtree<(T Area, IPreparedGeometry Shape)> _tree = new();

    public AreaLocator(IEnumerable<(T Area, Geometry Shape)> areas)
    {
        foreach (var (area, shape) in areas)
        {
            _tree.Insert(shape.EnvelopeInternal, (area, PreparedGeometryFactory.Prepare(shape)));
        }
        _tree.Build();
    }

    public bool TryLocate(GeoPoint point, out T area)
    {
        var location = Wgs84.Factory.CreatePoint(new Coordinate(point.Longitude, point.Latitude));
        foreach (var candidate in _tree.Query(location.EnvelopeInternal))
        {
            if (candidate.Shape.Covers(location))
            {
                area = candidate.Area;
                return true;
            }
        }
        area = default!;
        return false;
    }

    /// <summary>
    /// The area that covers the point, else the one whose border is nearest within <paramref name="toleranceMeters"/>
    /// (boundary rounding of a polygon, not a search radius). The nearest border point is found in degrees and its
    /// distance measured on the sphere, so a point is never taken from farther than the tolerance.
    /// </summary>
    public bool TryLocate(GeoPoint point, double toleranceMeters, out T area)
    {
        if (TryLocate(point, out area))
        {
            return true;
        }
        if (!(toleranceMeters > 0))
        {
            return false;
        }
        var location = Wgs84.Factory.CreatePoint(new Coordinate(point.Longitude, point.Latitude));
        var metresPerDegree = GeoPoint.EarthRadiusMeters * Math.PI / 180;
        var latitudeDegrees = toleranceMeters / metresPerDegree;
        var longitudeDegrees = toleranceMeters / (metresPerDegree * Math.Max(0.01, Math.Cos(point.Latitude * Math.PI / 180)));
        var search = new Envelope(point.Longitude - longitudeDegrees, point.Longitude + longitudeDegrees, point.Latitude - latitudeDegrees, point.Latitude + latitudeDegrees);
        var best = double.PositiveInfinity;
        foreach (var candidate in _tree.Query(search))
        {
            var border = DistanceOp.NearestPoints(candidate.Shape.Geometry, location)[0];
            var metres = point.DistanceTo(new GeoPoint(border.X, border.Y));
            if (metres <= toleranceMeters && metres < best)
            {
                best = metres;
                area = candidate.Area;
            }
        }
        return !double.IsPositiveInfinity(best);
    }
}
