using CityOps.Twin.Contracts.Geo;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>
/// The k nearest of a fixed set of positions (cameras) to any point, by great-circle distance, equal to a
/// brute-force search. An STRtree over the positions projected to metres (equirectangular at the set's mean
/// latitude) answers one window query around the point, sized from the set's density; the window grows until
/// the k-th nearest found, measured exactly, lies inside it by more than the projection's error (about 1 %
/// across a city), so every position that could be nearer has been ranked exactly.
/// Ties (cameras at one intersection share a position) go to the one listed first.
/// </summary>
public sealed class NearestIndex<T>
{
    // Widening of the exact-ranking radius: above the equirectangular projection's error over a city.
    private const double ProjectionMargin = 1.05;
    private const double ProjectionSlackMeters = 1.0;

    private readonly STRtree<Entry> _tree = new();
    private readonly double _cosMeanLatitude;
    private readonly Envelope _extent;
    private readonly double _startRadius;

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
        _extent = new Envelope();
        foreach (var (_, position) in all)
        {
            _extent.ExpandToInclude(Project(position));
        }
        // The radius that holds about two items where they are spread evenly over their extent.
        var area = Math.Max(_extent.Width, 1) * Math.Max(_extent.Height, 1);
        _startRadius = Math.Max(ProjectionSlackMeters * 10, Math.Sqrt(2 * area / Math.Max(Count, 1) / Math.PI));
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

        // One window query around the point, sized from the set's density to hold about 2k items; grown until its
        // k-th nearest (measured exactly) lies well inside it, so nothing outside can be nearer.
        var centre = Project(point);
        var radius = _startRadius * Math.Sqrt(k);
        var candidates = new List<(T Item, double DistanceMeters, int Order)>();
        while (true)
        {
            candidates.Clear();
            var window = new Envelope(centre);
            window.ExpandBy(radius);
            foreach (var entry in _tree.Query(window))
            {
                if (filter is null || filter(entry.Item))
                {
                    candidates.Add((entry.Item, point.DistanceTo(entry.Position), entry.Order));
                }
            }
            var everything = window.Contains(_extent);
            if (candidates.Count >= k || everything)
            {
                candidates.Sort(static (a, b) => a.DistanceMeters != b.DistanceMeters ? a.DistanceMeters.CompareTo(b.DistanceMeters) : a.Order.CompareTo(b.Order));
                var needed = candidates.Count >= k ? candidates[k - 1].DistanceMeters * ProjectionMargin + ProjectionSlackMeters : double.PositiveInfinity;
                if (needed <= radius || everything)
                {
                    return [.. candidates.Take(k).Select(c => (c.Item, c.DistanceMeters))];
                }
                radius = needed;
            }
            else
            {
                radius *= 2;
            }
        }
    }

    private Coordinate Project(GeoPoint position) => new(
        position.Longitude * Math.PI / 180 * GeoPoint.EarthRadiusMeters * _cosMeanLatitude,
        position.Latitude * Math.PI / 180 * GeoPoint.EarthRadiusMeters);

    /// <summary><see cref="Order"/> is the position in the input: cameras at one intersection share a position, and ties go to the one listed first.</summary>
    private sealed record Entry(T Item, GeoPoint Position, Coordinate Projected, int Order);
}
