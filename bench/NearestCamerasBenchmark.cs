using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Spatial;

namespace CityOps.Twin.Bench;

/// <summary>
/// The three cameras nearest an incident among 100,000 (a large district's feeds): queries per second through
/// the spatial index against a brute-force scan of every camera in the same run. Every answer of the index is
/// checked against the scan's. Target ≥ 100,000 queries/s.
/// </summary>
internal static class NearestCamerasBenchmark
{
    // Shanghai's built-up area, where the cameras and incidents are scattered (WGS84).
    private const double West = 121.10, East = 121.90, South = 30.90, North = 31.45;

    public static async Task RunAsync(bool quick)
    {
        var cameras = quick ? 2_000 : 100_000;
        var queries = quick ? 200 : 20_000;
        var rounds = quick ? 1 : 7;
        var random = new Random(20210725);
        GeoPoint Somewhere() => new(West + random.NextDouble() * (East - West), South + random.NextDouble() * (North - South));
        var positions = Enumerable.Range(0, cameras).Select(i => (Item: i, Position: Somewhere())).ToArray();
        var points = Enumerable.Range(0, queries).Select(_ => Somewhere()).ToArray();
        var index = new NearestIndex<int>(positions);

        for (var q = 0; q < points.Length; q++)
        {
            var found = index.Nearest(points[q], 3).Select(n => n.Item);
            var scanned = BruteForce(positions, points[q]);
            if (!found.SequenceEqual(scanned))
            {
                throw new InvalidOperationException($"query {q} at {points[q]}: the index found {string.Join(",", found)}, the scan {string.Join(",", scanned)}");
            }
        }

        // The scan is thousands of times slower: it answers a fraction of the queries per round.
        var scanQueries = Math.Max(1, queries / (quick ? 10 : 200));
        var rates = await Measurement.MedianRatesAsync(
            rounds,
            ("index", () => Task.FromResult(Run(points, p => index.Nearest(p, 3).Count))),
            ("scan", () => Task.FromResult(Run(points[..scanQueries], p => BruteForce(positions, p).Count))));

        Measurement.Report($"nearest3.index_among_{cameras}", rates["index"], "queries/s");
        Measurement.Report($"nearest3.brute_force_among_{cameras}", rates["scan"], "queries/s");
        Measurement.Ratio("nearest3.index/brute_force", rates["index"], rates["scan"]);
        if (!quick)
        {
            Console.WriteLine($"nearest3.target: {(rates["index"] >= 100_000 ? "met" : "MISSED")} (≥ 100,000 queries/s)");
        }
    }

    /// <summary>Where the answers' sizes go, so no query's work can be skipped.</summary>
    private static long s_answers;

    private static long Run(GeoPoint[] points, Func<GeoPoint, int> query)
    {
        foreach (var point in points)
        {
            s_answers += query(point);
        }
        return points.Length;
    }

    /// <summary>Every camera measured exactly; ties to the one listed first, as the index does.</summary>
    private static List<int> BruteForce((int Item, GeoPoint Position)[] cameras, GeoPoint point) =>
        [.. cameras.Select(c => (c.Item, Distance: c.Position.DistanceTo(point))).OrderBy(c => c.Distance).ThenBy(c => c.Item).Take(3).Select(c => c.Item)];
}
