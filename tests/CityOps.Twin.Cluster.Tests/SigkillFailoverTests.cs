using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Cluster.Tests.Support;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Placement;
using CityOps.Twin.Tests.Shared;
using Orleans.Runtime;

namespace CityOps.Twin.Cluster.Tests;

/// <summary>One of three silos killed (SIGKILL) while gateways send readings and operators work cases through all three.</summary>
public sealed class SigkillFailoverTests(ITestOutputHelper output)
{
    private const int Victim = 2;

    /// <summary>The failover the cluster promises: a dead silo declared and its grains answering from the survivors.</summary>
    private static readonly TimeSpan FailoverWindow = TimeSpan.FromSeconds(5);

    /// <summary>The longest a hot sensor reading waits in memory before it is stored (the "live" state's write-behind).</summary>
    private static readonly TimeSpan WriteBehind = TwinGrains.WriteBehind["live"];

    [Fact]
    public async Task A_silo_killed_under_load_is_felt_for_seconds_and_loses_nothing_acknowledged_outside_the_write_behind_window()
    {
        var folder = Directory.CreateTempSubdirectory("cityops-cluster-tests-catalogue-");
        try
        {
            await using var cluster = await LoopbackCluster.StartAsync("sigkill", 3, "--case-categories", OneMinuteCatalogue.Write(folder.FullName));
            await RunAsync(cluster);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private async Task RunAsync(LoopbackCluster cluster)
    {
        var sensors = await cluster[0].SensorsAsync();
        var view = await cluster.ViewAsync(0);
        var active = view.Silos.Where(s => s.Status == "Active").Select(s => SiloAddress.FromParsableString(s.Address)).ToList();
        var victim = SiloAddress.FromParsableString((await cluster.ViewAsync(Victim)).Answering);

        // Cases whose grains live on the victim, due in a minute: their deadlines must fire on a survivor.
        var due = new List<(string Id, long ReportedAt)>();
        for (var n = 0; due.Count < 3 && n < 100; n++)
        {
            var record = await CityRequests.ReportAsync(cluster[0], OneMinuteCatalogue.Category, $"一分钟案件 {n}", CityRequests.PointOf(n));
            if (GridPlacementDirector.Choose(record.CaseId, active).Equals(victim))
            {
                due.Add((record.CaseId, Stopwatch.GetTimestamp()));
            }
        }
        Assert.Equal(3, due.Count);

        // Alarms raised through each silo, two each (their sensors kept out of the quiet load): CAP alerts and alarm cases.
        var alarmed = sensors.Where((_, i) => i % 97 == 5).Take(6).ToList();
        for (var i = 0; i < alarmed.Count; i++)
        {
            var (id, kind) = alarmed[i];
            var result = await CityRequests.IngestAsync(cluster[i % 3], [(id, DateTimeOffset.UtcNow, CityRequests.AlarmValue(kind))]);
            Assert.Equal(1, result.Accepted);
        }
        var work = new ClusterWorkload(cluster, sensors);
        var alarmCases = await WaitForAlarmCasesAsync(cluster, alarmed.Select(a => a.Id).ToList());
        foreach (var caseId in alarmCases)
        {
            work.Cases[caseId] = CaseStatus.Reported;
        }
        var alertsBeforeKill = new HashSet<string>(StringComparer.Ordinal);
        for (var s = 0; s < 3; s++)
        {
            alertsBeforeKill.UnionWith(await CityRequests.CapAlertsAsync(cluster[s]));
        }

        using var stop = new CancellationTokenSource();
        var load = work.RunAsync([0, 1, 2], alarmed.Select(a => a.Id).ToHashSet(), stop.Token);
        // Load until the cluster has acknowledged work through every silo, and at least a few seconds of it.
        var loading = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => loading.Elapsed >= TimeSpan.FromSeconds(6) && work.Steps >= 10 && work.Users.Count >= 3, TimeSpan.FromSeconds(60),
            () => $"the cluster acknowledges 10 case steps from 3 users under load (it acknowledged {work.Readings} readings, {work.Steps} case steps, {work.Users.Count} users)",
            TimeSpan.FromMilliseconds(100));

        using (var health = JsonDocument.Parse(await cluster[Victim].Http.GetStringAsync("/healthz/detail")))
        {
            output.WriteLine($"silo {Victim} just before the kill: {health.RootElement.GetProperty("checks").GetProperty("storage")}");
        }
        var (victimSaid, killedAt) = await cluster.KillAsync(Victim);
        output.WriteLine($"silo {Victim} was gone and its output read {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:0.000} s after the signal");
        output.WriteLine($"silo {Victim} printed last:\n{string.Join("\n", victimSaid.Split('\n').Where(l => l.Contains("rite-behind", StringComparison.Ordinal) || l.Contains("not saved", StringComparison.Ordinal)))}");
        // The load goes on for 10 s after the kill: the window whose failed requests the promise below measures (not a wait).
        await Task.Delay(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await load;
        var loadEnded = Stopwatch.GetTimestamp();

        var outage = Outage.Of(work.Requests, new HashSet<int> { 0, 1 }, killedAt, loadEnded);
        output.WriteLine($"load: {work.Readings} readings, {work.Cases.Count} cases with {work.Steps} steps, {work.Users.Count} users acknowledged");
        output.WriteLine($"after SIGKILL of silo {Victim}, the survivors: {outage}");
        await cluster.WaitForActiveAsync(2, TimeSpan.FromSeconds(30));

        var (missingCases, missingSteps) = await work.CheckCasesAsync(cluster[0]);
        var missingAudit = await work.CheckAuditAsync(cluster[1]);
        var (withinWindow, lostReadings) = await work.CheckReadingsAsync(cluster[0], killedAt, WriteBehind);
        output.WriteLine($"lost: {missingCases.Count} cases, {missingSteps.Count} steps, {missingAudit.Count} audit lines, {lostReadings.Count} readings outside the write-behind window; "
            + $"{withinWindow} readings acknowledged within {WriteBehind.TotalSeconds:0.#} s before the kill not kept (allowed)");

        var overdueAt = await WaitForOverdueAsync(cluster, due.Select(d => d.Id).ToList());
        output.WriteLine($"the victim's one-minute cases flagged overdue, read through a survivor, {Stopwatch.GetElapsedTime(killedAt, overdueAt).TotalSeconds:0.0} s after the kill, "
            + $"{Stopwatch.GetElapsedTime(due[^1].ReportedAt, overdueAt).TotalSeconds:0.0} s after the last was reported (due after 60 s)");

        var alertsAfter = new[] { await CityRequests.CapAlertsAsync(cluster[0]), await CityRequests.CapAlertsAsync(cluster[1]) };
        var alertsLost = alertsBeforeKill.Where(a => !alertsAfter.All(after => after.Contains(a))).ToList();
        output.WriteLine($"CAP: {alertsBeforeKill.Count} alerts seen on the three silos before the kill, {alertsLost.Count} not listed by both survivors after it");

        // Every promise is checked, and all that were broken are told together.
        var settled = work.Requests.Where(r => r.Silo is 0 or 1 && Stopwatch.GetElapsedTime(killedAt, r.Sent) >= FailoverWindow).ToList();
        output.WriteLine($"requests to the survivors sent after the failover window: {settled.Count}, {settled.Count(r => !r.Succeeded)} failed, slowest answer "
            + $"{settled.Select(r => Stopwatch.GetElapsedTime(r.Sent, r.Answered).TotalSeconds).DefaultIfEmpty().Max():0.00} s");
        List<string> broken =
        [
            .. outage.LastFailureSeconds > FailoverWindow.TotalSeconds ? [$"the survivors failed requests until {outage.LastFailureSeconds:0.00} s after the kill: {outage}"] : Array.Empty<string>(),
            .. settled.Count == 0 || settled.Any(r => !r.Succeeded) ? [$"past the failover window {settled.Count(r => !r.Succeeded)} of {settled.Count} requests to the survivors failed"] : Array.Empty<string>(),
            .. missingCases.Select(c => $"acknowledged case lost: {c}"),
            .. missingSteps.Select(c => $"acknowledged step lost: {c}"),
            .. missingAudit.Select(u => $"audit line of user.create {u} lost"),
            .. lostReadings.Count > 0 ? [$"{lostReadings.Count} acknowledged readings lost outside the write-behind window, e.g.:\n  {string.Join("\n  ", lostReadings.Take(10))}"] : Array.Empty<string>(),
            .. alertsLost.Select(a => $"CAP alert {a} seen before the kill is not listed by both survivors"),
        ];
        if (broken.Count > 0)
        {
            broken.Add(KeepEvidence(cluster, victimSaid));
        }
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    /// <summary>
    /// Writes all three silos' logs to a folder that outlives the test and says where, with the survivors' warnings about
    /// calls (a call Orleans gave up on names its target grain and silo): what a broken promise is diagnosed from.
    /// </summary>
    private static string KeepEvidence(LoopbackCluster cluster, string victimSaid)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"cityops-sigkill-{DateTime.UtcNow:yyyyMMdd'T'HHmmss}"));
        File.WriteAllText(Path.Combine(folder.FullName, $"silo{Victim}-killed.log"), victimSaid);
        var warnings = new List<string>();
        foreach (var i in new[] { 0, 1 })
        {
            var said = cluster.FullOutputOf(i);
            File.WriteAllText(Path.Combine(folder.FullName, $"silo{i}.log"), said);
            // The console's simple format: a "warn:" or "fail:" line naming the category, the message on the next.
            var lines = said.Split('\n');
            warnings.AddRange(lines.Index().Where(l => l.Item.Contains(" warn: ", StringComparison.Ordinal) || l.Item.Contains(" fail: ", StringComparison.Ordinal))
                .Take(20).Select(l => $"  silo {i}: {l.Item.Trim()} {(l.Index + 1 < lines.Length ? lines[l.Index + 1].Trim() : "")}"));
        }
        return $"the silos' logs are kept in {folder.FullName}; the survivors' first warnings:\n{string.Join("\n", warnings)}";
    }

    /// <summary>The alarm cases the alarmed sensors opened, once every one of them has its case.</summary>
    private static Task<List<string>> WaitForAlarmCasesAsync(LoopbackCluster cluster, List<string> sensorIds) =>
        Eventually.ValueAsync(async () =>
            {
                var cases = new List<string>();
                foreach (var id in sensorIds)
                {
                    using var device = JsonDocument.Parse(await cluster[0].Http.GetStringAsync($"/api/devices/{id}"));
                    if (device.RootElement.GetProperty("openCaseId") is { ValueKind: JsonValueKind.String } caseId)
                    {
                        cases.Add(caseId.GetString()!);
                    }
                }
                return cases;
            },
            cases => cases.Count == sensorIds.Count, TimeSpan.FromSeconds(30),
            cases => $"every alarmed sensor opens a case ({cases.Count} of {sensorIds.Count} did)", TimeSpan.FromMilliseconds(200));

    /// <summary>Waits (up to a reminder period and a half past the deadline) until every case is flagged overdue, read through a survivor; returns when.</summary>
    private static async Task<long> WaitForOverdueAsync(LoopbackCluster cluster, List<string> caseIds)
    {
        await Eventually.ValueAsync(async () =>
            {
                var overdue = 0;
                foreach (var id in caseIds)
                {
                    var record = await cluster[0].Http.GetFromJsonAsync<CaseRecord>($"/api/cases/{id}", SiloProcess.Json);
                    overdue += record!.StepOverdue ? 1 : 0;
                }
                return overdue;
            },
            overdue => overdue == caseIds.Count, TimeSpan.FromSeconds(150),
            overdue => $"the killed silo's one-minute cases are flagged overdue ({overdue} of {caseIds.Count} were)", TimeSpan.FromMilliseconds(500));
        return Stopwatch.GetTimestamp();
    }
}
