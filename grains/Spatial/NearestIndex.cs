using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Grains.Spatial;

/// <summary>
/// The k nearest of a fixed set of positions (cameras) to any point, by great-circle distance, equal to a
/// brute-force search. The positions, projected to metres (equirectangular at the set's mean latitude), are
/// bucketed in a uniform grid of cells sized to hold about two each, stored cell by cell in one array. A
/// query ranks the positions of the point's cell exactly, then of the rings of cells around it, and stops
/// once the k-th nearest found, measured exactly, lies inside the rings searched by more than the
/// projection's error (about 1 % across a city): nothing outside them can be nearer.
/// Ties (cameras at one intersection share a position) go to the one listed first.
/// </summary>
public sealed class NearestIndex<T>
{
    // Widening of the exact-ranking radius: above the equirectangular projection's error over a city.
    private const double ProjectionMargin = 1.05;
    private const double ProjectionSlackMeters = 1.0;

    private readonly double _cosMeanLatitude;
    private readonly double _minX, _minY, _cell;
    private readonly int _columns, _rows;
    // Entries sorted by cell; the entries of cell c are [_cellStart[c], _cellStart[c + 1]).
    private readonly Entry[] _entries;
    private readonly int[] _cellStart;

    public NearestIndex(IEnumerable<(T Item, GeoPoint Position)> items)
    {
        var all = items.ToList();
        Count = all.Count;
        _cosMeanLatitude = Math.Cos((all.Count == 0 ? 0 : all.Average(i => i.Position.Latitude)) * Math.PI / 180);
        var projected = all.Select(i => Project(i.Position)).ToArray();
        _minX = projected.Length == 0 ? 0 : projected.Min(p => p.X);
        _minY = projected.Length == 0 ? 0 : projected.Min(p => p.Y);
        var width = Math.Max(1, projected.Length == 0 ? 1 : projected.Max(p => p.X) - _minX);
        var height = Math.Max(1, projected.Length == 0 ? 1 : projected.Max(p => p.Y) - _minY);
        // About two items a cell where they are spread evenly, and never so many cells that empty ones cost more than items.
        _cell = Math.Max(ProjectionSlackMeters * 10, Math.Sqrt(2 * width * height / Math.Max(Count, 1)));
        _columns = (int)(width / _cell) + 1;
        _rows = (int)(height / _cell) + 1;

        var cells = new int[all.Count];
        _cellStart = new int[_columns * _rows + 1];
        for (var i = 0; i < all.Count; i++)
        {
            cells[i] = CellOf(projected[i].X, projected[i].Y);
            _cellStart[cells[i] + 1]++;
        }
        for (var c = 0; c < _columns * _rows; c++)
        {
            _cellStart[c + 1] += _cellStart[c];
        }
        _entries = new Entry[all.Count];
        var next = _cellStart[..^1];
        for (var i = 0; i < all.Count; i++)
        {
            _entries[next[cells[i]]++] = new Entry(all[i].Item, all[i].Position, i);
        }
    }

    public int Count { get; }

    /// <summary>The <paramref name="k"/> items nearest to <paramref name="point"/> that pass <paramref name="filter"/>, nearest first.</summary>
    public IReadOnlyList<(T Item, double DistanceMeters)> Nearest(GeoPoint point, int k, Func<T, bool>? filter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var best = new List<(Entry Entry, double DistanceMeters)>(k + 1);
        if (Count == 0)
        {
            return [];
        }

        var (x, y) = Project(point);
        var column = Math.Clamp((int)Math.Floor((x - _minX) / _cell), 0, _columns - 1);
        var row = Math.Clamp((int)Math.Floor((y - _minY) / _cell), 0, _rows - 1);
        // How far outside the grid the point is: rings only start to count once they reach it.
        var outside = Math.Max(Math.Max(_minX - x, x - (_minX + _columns * _cell)), Math.Max(_minY - y, y - (_minY + _rows * _cell)));
        var rings = Math.Max(Math.Max(column, _columns - 1 - column), Math.Max(row, _rows - 1 - row));
        for (var ring = 0; ring <= rings; ring++)
        {
            for (var r = row - ring; r <= row + ring; r++)
            {
                if (r < 0 || r >= _rows)
                {
                    continue;
                }
                var edge = r == row - ring || r == row + ring;
                for (var c = column - ring; c <= column + ring; c += edge ? 1 : 2 * ring)
                {
                    if (c >= 0 && c < _columns)
                    {
                        Rank(r * _columns + c, point, k, filter, best);
                    }
                }
            }
            // Everything within `ring` whole cells of the point's cell has been ranked.
            var searched = ring * _cell - Math.Max(0, outside);
            if (best.Count == k && best[k - 1].DistanceMeters * ProjectionMargin + ProjectionSlackMeters <= searched)
            {
                break;
            }
        }
        return [.. best.Select(b => (b.Entry.Item, b.DistanceMeters))];
    }

    private void Rank(int cell, GeoPoint point, int k, Func<T, bool>? filter, List<(Entry Entry, double DistanceMeters)> best)
    {
        for (var i = _cellStart[cell]; i < _cellStart[cell + 1]; i++)
        {
            var entry = _entries[i];
            if (filter is not null && !filter(entry.Item))
            {
                continue;
            }
            var distance = point.DistanceTo(entry.Position);
            if (best.Count == k && !Before(distance, entry.Order, best[k - 1]))
            {
                continue;
            }
            var at = best.Count;
            while (at > 0 && Before(distance, entry.Order, best[at - 1]))
            {
                at--;
            }
            best.Insert(at, (entry, distance));
            if (best.Count > k)
            {
                best.RemoveAt(k);
            }
        }
    }

    private static bool Before(double distance, int order, (Entry Entry, double DistanceMeters) other) =>
        distance < other.DistanceMeters || (distance == other.DistanceMeters && order < other.Entry.Order);

    private int CellOf(double x, double y) =>
        Math.Clamp((int)((y - _minY) / _cell), 0, _rows - 1) * _columns + Math.Clamp((int)((x - _minX) / _cell), 0, _columns - 1);

    private (double X, double Y) Project(GeoPoint position) => (
        position.Longitude * Math.PI / 180 * GeoPoint.EarthRadiusMeters * _cosMeanLatitude,
        position.Latitude * Math.PI / 180 * GeoPoint.EarthRadiusMeters);

    /// <summary><see cref="Order"/> is the position in the input: cameras at one intersection share a position, and ties go to the one listed first.</summary>
    private sealed record Entry(T Item, GeoPoint Position, int Order);
}
