using System.Diagnostics;
using CityOps.Twin.Cluster.Tests.Support;
using CityOps.Twin.Grains;
using CityOps.Twin.Tests.Shared;

namespace CityOps.Twin.Cluster.Tests;

/// <summary>Every silo killed at once (SIGKILL), then all started again on their own ports over the same database.</summary>
public sealed class WholeClusterRestartTests(ITestOutputHelper output)
{
    /// <summary>What the cluster promises after losing every silo: serving again within this of the first restart.</summary>
    private static readonly TimeSpan ServingWithin = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan WriteBehind = TwinGrains.WriteBehind["live"];

    [Fact]
    public async Task A_cluster_killed_whole_serves_again_within_thirty_seconds_with_everything_acknowledged_before()
    {
        await using var cluster = await LoopbackCluster.StartAsync("whole", 3);
        var sensors = await cluster[0].SensorsAsync();
        var work = new ClusterWorkload(cluster, sensors);
        long killedAt;
        using (var stop = new CancellationTokenSource())
        {
            var load = work.RunAsync([0, 1, 2], new HashSet<string>(), stop.Token);
            var loading = Stopwatch.StartNew();
            await Eventually.TrueAsync(() => loading.Elapsed >= TimeSpan.FromSeconds(5) && work.Steps >= 6 && work.Users.Count >= 3, TimeSpan.FromSeconds(60),
                () => $"the cluster acknowledges 6 case steps from 3 users under load (it acknowledged {work.Readings} readings, {work.Steps} case steps, {work.Users.Count} users)",
                TimeSpan.FromMilliseconds(100));
            // The crash is the last of the three signals: a reading's silo died then or earlier, so its age at the crash is
            // counted no shorter than it was.
            killedAt = (await Task.WhenAll(Enumerable.Range(0, 3).Select(cluster.KillAsync))).Max(killed => killed.KilledAt);
            await stop.CancelAsync();
            await load;
        }
        output.WriteLine($"load: {work.Readings} readings, {work.Cases.Count} cases with {work.Steps} steps, {work.Users.Count} users acknowledged before the kill");

        // All three again at once, as after a power cut: none of them prints a first-run password, the city is filed already.
        var restarted = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(cluster.StartSiloAsync));
        var serving = restarted.Elapsed;
        await cluster.WaitForActiveAsync(3, ServingWithin);
        var clustered = restarted.Elapsed;
        foreach (var i in cluster.Up)
        {
            (await cluster[i].Http.GetAsync("/api/mode")).EnsureSuccessStatusCode();
        }
        var answered = restarted.Elapsed;
        output.WriteLine($"after SIGKILL of all three: every silo served {serving.TotalSeconds:0.0} s after the restart began, "
            + $"membership showed 3 active at {clustered.TotalSeconds:0.0} s, each answered the API at {answered.TotalSeconds:0.0} s "
            + $"(silos: {string.Join(", ", cluster.Up.Select(i => $"{cluster[i].SecondsToServe:0.0} s"))})");

        var (missingCases, missingSteps) = await work.CheckCasesAsync(cluster[1]);
        var missingAudit = await work.CheckAuditAsync(cluster[2]);
        var (withinWindow, lostReadings) = await work.CheckReadingsAsync(cluster[0], killedAt, WriteBehind);
        output.WriteLine($"lost: {missingCases.Count} cases, {missingSteps.Count} steps, {missingAudit.Count} audit lines, {lostReadings.Count} readings outside the write-behind window; "
            + $"{withinWindow} readings acknowledged within {WriteBehind.TotalSeconds:0.#} s before the kill not kept (allowed)");

        List<string> broken =
        [
            .. answered > ServingWithin ? [$"the cluster served again only {answered.TotalSeconds:0.0} s after the restart began"] : Array.Empty<string>(),
            .. missingCases.Select(c => $"acknowledged case lost: {c}"),
            .. missingSteps.Select(c => $"acknowledged step lost: {c}"),
            .. missingAudit.Select(u => $"audit line of user.create {u} lost"),
            .. lostReadings.Count > 0 ? [$"{lostReadings.Count} acknowledged readings lost outside the write-behind window, e.g.:\n  {string.Join("\n  ", lostReadings.Take(10))}"] : Array.Empty<string>(),
        ];
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }
}
