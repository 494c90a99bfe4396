using System.Diagnostics;
using CityOps.Twin.Cluster.Tests.Support;
using CityOps.Twin.Tests.Shared;

namespace CityOps.Twin.Cluster.Tests;

/// <summary>Each of three silos stopped (SIGTERM) and started again in turn while gateways and operators keep working.</summary>
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    /// <summary>The longest the requests to the running silos may keep failing: the failover window.</summary>
    private static readonly TimeSpan FailoverWindow = TimeSpan.FromSeconds(5);

    /// <summary>How soon a change must reach every silo's view: the twin view's promise for an alarm on screen.</summary>
    private static readonly TimeSpan ViewLatency = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Restarting_every_silo_in_turn_keeps_the_cluster_answering_its_state_kept_and_every_view_live()
    {
        await using var cluster = await LoopbackCluster.StartAsync("rolling", 3);
        var sensors = await cluster[0].SensorsAsync();
        var work = new ClusterWorkload(cluster, sensors);
        var restarts = new List<(int Silo, long Stopped, long Back)>();
        var views = new List<string>();
        var slowViews = new List<string>();
        using (var stop = new CancellationTokenSource())
        {
            var load = work.RunAsync([0, 1, 2], new HashSet<string>(), stop.Token);
            for (var i = 0; i < 3; i++)
            {
                var stopped = Stopwatch.GetTimestamp();
                await cluster.StopAsync(i);
                var down = Stopwatch.GetElapsedTime(stopped);
                await cluster.StartSiloAsync(i);
                await cluster.WaitForActiveAsync(3, TimeSpan.FromSeconds(60));
                var back = Stopwatch.GetTimestamp();
                restarts.Add((i, stopped, back));
                var seen = await ChangeReachesEveryViewAsync(cluster, from: (i + 1) % 3);
                views.Add($"silo {i}: stopped in {down.TotalSeconds:0.0} s, back and in the cluster {Stopwatch.GetElapsedTime(stopped, back).TotalSeconds:0.0} s after the stop; "
                    + $"a case reported through silo {(i + 1) % 3} in every view after {string.Join(", ", seen.Select(s => $"{s:0.00} s"))}");
                output.WriteLine(views[^1]);
                slowViews.AddRange(seen.Where(s => s > ViewLatency.TotalSeconds).Select(s => $"after silo {i}'s restart a change took {s:0.00} s to reach a view"));
            }
            await stop.CancelAsync();
            await load;
        }
        var ended = Stopwatch.GetTimestamp();

        // Requests to a silo while it was stopping or starting are not counted: the load sends none once it is down.
        var toRunning = work.Requests.Where(r => !restarts.Any(x => x.Silo == r.Silo && r.Sent >= x.Stopped && r.Sent <= x.Back)).ToList();
        var outage = Outage.Of(toRunning, new HashSet<int> { 0, 1, 2 }, restarts[0].Stopped, ended);
        output.WriteLine($"load: {work.Readings} readings, {work.Cases.Count} cases with {work.Steps} steps, {work.Users.Count} users acknowledged");
        output.WriteLine($"requests to running silos through the three restarts: {outage}");

        var (missingCases, missingSteps) = await work.CheckCasesAsync(cluster[2]);
        var missingAudit = await work.CheckAuditAsync(cluster[0]);
        // A stopped silo saves its write-behind state on the way out: no reading may be lost.
        var (_, lostReadings) = await work.CheckReadingsAsync(cluster[1], ended, TimeSpan.Zero);
        output.WriteLine($"lost: {missingCases.Count} cases, {missingSteps.Count} steps, {missingAudit.Count} audit lines, {lostReadings.Count} readings");

        List<string> broken =
        [
            .. slowViews,
            .. outage.LongestFailureRunSeconds > FailoverWindow.TotalSeconds ? [$"requests to running silos kept failing for {outage.LongestFailureRunSeconds:0.00} s: {outage}"] : Array.Empty<string>(),
            .. missingCases.Select(c => $"acknowledged case lost: {c}"),
            .. missingSteps.Select(c => $"acknowledged step lost: {c}"),
            .. missingAudit.Select(u => $"audit line of user.create {u} lost"),
            .. lostReadings.Count > 0 ? [$"{lostReadings.Count} acknowledged readings lost across clean restarts, e.g.:\n  {string.Join("\n  ", lostReadings.Take(10))}"] : Array.Empty<string>(),
        ];
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    /// <summary>
    /// Reports an urgent case through one silo and waits until the case desk of every silo lists it: the desk's queue
    /// is drawn from the silo's live feed (prerendered in the page's HTML), so this is a change reaching each silo's
    /// view. Returns the seconds each silo took.
    /// </summary>
    private static async Task<double[]> ChangeReachesEveryViewAsync(LoopbackCluster cluster, int from)
    {
        // Each desk drawn once first: a silo just back compiles the page at its first request, which is start-up, not the feed.
        await Task.WhenAll(cluster.Up.Select(i => cluster[i].Http.GetStringAsync("/cases")));
        // Critical cases head the desk's queue, ahead of the load's normal ones, so the case is among the rows drawn.
        var reported = await CityRequests.ReportAsync(cluster[from], "0501", "道路塌陷 滚动重启", CityRequests.PointOf(from));
        var sent = Stopwatch.GetTimestamp();
        // Every silo's desk polled at once: one after another, each page's drawing would count against the next silo.
        var seen = await Task.WhenAll(cluster.Up.Select(async i =>
        {
            await Eventually.TrueAsync(async () => (await cluster[i].Http.GetStringAsync("/cases")).Contains($"data-case-id=\"{reported.CaseId}\"", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), $"case {reported.CaseId} reported through silo {from} is on silo {i}'s case desk", TimeSpan.FromMilliseconds(50));
            return Stopwatch.GetElapsedTime(sent).TotalSeconds;
        }));
        return seen;
    }
}
