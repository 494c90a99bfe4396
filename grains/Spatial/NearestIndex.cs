using CityOps.Twin.Contracts.Geo;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>
/// The k nearest of a fixed set of positions (cameras) to any point, by great-circle distance, equal to a
/// brute-force search. An STRtree over the positions projected to metres (equirectangular at the set's mean
/// latitude) finds k candidates; the k-th of them, measured exactly, gives a radius; every position within
/// that radius (plus more than the projection's error, about 1 % across a city) is then ranked exactly.
/// Ties (cameras at one intersection share a position) go to the one listed first.
/// </summary>
public sealed class NearestIndex<T>
{
    // Widening of the exact-ranking radius: above the equirectangular projection's error over a city.
    private const double ProjectionMargin = 1.05;
    private const double ProjectionSlackMeters = 1.0;

    private readonly STRtree<Entry> _tree = new();
    private readonly double _cosMeanLatitude;

    public NearestIndex(IEnumerable<(T Item, GeoPoint Position)> items)
    {
        var all = items.ToList();
        _cosMeanLatitude = Math.Cos((all.Count == 0 ? 0 : all.Average(i => i.Position.Latitude)) * Math.PI / 180);
        for (var order = 0; order < all.Count; order++)
        {
            var (item, position) = all[order];
            var entry = new Entry(item, position, Project(position), order);
            _tree.Insert(new Envelope(entry.Projected), entry);
        }
        _tree.Build();
        Count = all.Count;
    }

    public int Count { get; }

    /// <summary>The <paramref name="k"/> items nearest to <paramref name="point"/> that pass <paramref name="filter"/>, nearest first.</summary>
    public IReadOnlyList<(T Item, double DistanceMeters)> Nearest(GeoPoint point, int k, Func<T, bool>? filter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (Count == 0)
        {
            return [];
        }

        var query = new Entry(default!, point, Project(point), -1);
        var wanted = Math.Min(Count, k);
        List<Entry> passing;
        while (true)
        {
            // The projected-nearest `wanted` of all items hold the projected-nearest of those passing the filter.
            passing = _tree.NearestNeighbour(new Envelope(query.Projected), query, ProjectedDistance.Instance, wanted)
                .Where(c => filter is null || filter(c.Item))
                .ToList();
            if (passing.Count >= k || wanted == Count)
            {
                break;
            }
            wanted = Math.Min(Count, wanted * 4);
        }
        if (passing.Count == 0)
        {
            return [];
        }

        var radius = passing.Select(c => point.DistanceTo(c.Position)).Order().Take(k).Last() * ProjectionMargin + ProjectionSlackMeters;
        var around = new Envelope(query.Projected);
        around.ExpandBy(radius);
        return _tree.Query(around)
            .Where(c => filter is null || filter(c.Item))
            .Select(c => (c.Item, DistanceMeters: point.DistanceTo(c.Position), c.Order))
            .OrderBy(c => c.DistanceMeters)
            .ThenBy(c => c.Order)
            .Take(k)
            .Select(c => (c.Item, c.DistanceMeters))
            .ToList();
    }

    private Coordinate Project(GeoPoint position) => new(
        position.Longitude * Math.PI / 180 * GeoPoint.EarthRadiusMeters * _cosMeanLatitude,
        position.Latitude * Math.PI / 180 * GeoPoint.EarthRadiusMeters);

    /// <summary><see cref="Order"/> is the position in the input: cameras at one intersection share a position, and ties go to the one listed first.</summary>
    private sealed record Entry(T Item, GeoPoint Position, Coordinate Projected, int Order);

    private sealed class ProjectedDistance : IItemDistance<Envelope, Entry>
    {
        public static readonly ProjectedDistance Instance = new();

        public double Distance(IBoundable<Envelope, Entry> item1, IBoundable<Envelope, Entry> item2) =>
            item1.Item.Projected.Distance(item2.Item.Projected);
    }
}
