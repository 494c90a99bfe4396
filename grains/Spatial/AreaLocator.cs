using CityOps.Twin.Contracts.Geo;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;

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
        var location = GeoJsonReader.Factory.CreatePoint(new Coordinate(point.Longitude, point.Latitude));
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
}
