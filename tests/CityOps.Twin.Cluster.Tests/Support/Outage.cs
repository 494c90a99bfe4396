using System.Diagnostics;

namespace CityOps.Twin.Cluster.Tests.Support;

/// <summary>How a silo's loss was felt by the requests to the silos that stayed up, measured from the moment of the loss.</summary>
internal sealed record Outage(int Requests, int Failed, double LastFailureSeconds, double LongestFailureRunSeconds, double SlowestSeconds)
{
    /// <summary>The failed requests, longest first (what, to which silo, when after the loss, how long, why), for a failure's message.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>The requests to <paramref name="silos"/> answered after <paramref name="from"/> (a Stopwatch timestamp) and up to <paramref name="to"/>.</summary>
    public static Outage Of(IEnumerable<ClusterWorkload.Request> requests, IReadOnlySet<int> silos, long from, long to)
    {
        var after = requests.Where(r => silos.Contains(r.Silo) && r.Answered >= from && r.Answered <= to).OrderBy(r => r.Answered).ToList();
        double Seconds(long a, long b) => Stopwatch.GetElapsedTime(a, b).TotalSeconds;
        var failed = after.Where(r => !r.Succeeded).ToList();
        // A run of failures, in the order they were answered, lasts from the first one's sending to the last one's answer.
        double longest = 0;
        long? runStart = null;
        foreach (var request in after)
        {
            if (request.Succeeded)
            {
                runStart = null;
                continue;
            }
            runStart ??= request.Sent;
            longest = Math.Max(longest, Seconds(runStart.Value, request.Answered));
        }
        return new Outage(after.Count, failed.Count,
            failed.Count == 0 ? 0 : Seconds(from, failed.Max(r => r.Answered)),
            longest,
            after.Count == 0 ? 0 : after.Max(r => Seconds(Math.Max(r.Sent, from), r.Answered)))
        {
            Failures = failed.OrderByDescending(r => r.Answered - r.Sent).Take(10)
                .Select(r => $"{r.What} to silo {r.Silo}, sent {Seconds(from, r.Sent):0.00} s after, failed after {Seconds(r.Sent, r.Answered):0.00} s: {r.Failure}")
                .ToList(),
        };
    }

    public override string ToString() =>
        $"{Requests} requests, {Failed} failed; last failure answered {LastFailureSeconds:0.00} s after, longest run of failures {LongestFailureRunSeconds:0.00} s, slowest answer {SlowestSeconds:0.00} s"
        + (Failures.Count == 0 ? "" : $"\n  failed: {string.Join("\n  failed: ", Failures)}");
}
