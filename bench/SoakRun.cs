using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Cases;

namespace CityOps.Twin.Bench;

/// <summary>
/// Soak: the real silo process at the demo's load (its simulator at 50 readings/s, a gateway posting 200 readings/s
/// over HTTP, an operator working a case through its loop every two seconds, a leader's screen reading the city's
/// signs every second) for 30 minutes, or as long as asked (2 in CI). Every few seconds it samples the gauges of the
/// silo's /healthz/detail: working set, managed heap, Orleans' activations, what could queue without bound (hot
/// states not yet written behind, audit lines waiting) and the counts of refused or dropped work (storage version
/// conflicts, rate-limited ingest, dropped view frames). At the end it checks they stayed flat: the last quarter of
/// the run against the second (the first is warm-up).
/// </summary>
internal static class SoakRun
{
    public static async Task<int> RunAsync(double minutes)
    {
        using var folder = new TempFolder();
        await using var silo = await SiloProcess.StartAsync(folder.Path, ["--storage", "sqlite", "--Simulation:ReadingsPerSecond", "50"], TimeSpan.FromMinutes(5));
        var duration = TimeSpan.FromMinutes(minutes);
        var interval = TimeSpan.FromSeconds(Math.Clamp(minutes * 60 / 40, 2, 15));
        using var stop = new CancellationTokenSource(duration);
        var sensors = (await silo.SensorsAsync()).Select(s => s.Id).ToArray();
        var counts = new Counts();

        var load = new[] { GatewayAsync(silo, sensors, counts, stop.Token), OperatorAsync(silo, counts, stop.Token), LeaderAsync(silo, counts, stop.Token) };
        var samples = new List<Sample>();
        var started = Stopwatch.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            samples.Add(await SampleAsync(silo, Stopwatch.GetElapsedTime(started)));
            var last = samples[^1];
            Console.WriteLine(FormattableString.Invariant(
                $"soak: {last.At.TotalMinutes,5:0.0} min  working set {last.WorkingSet / 1e6,7:0} MB  heap {last.Heap / 1e6,7:0} MB  activations {last.Activations,6}  write-behind unsaved {last.WriteBehindUnsaved,5}  audit waiting {last.AuditWaiting}"));
        }
        await Task.WhenAll(load);

        if (samples.Count < 8)
        {
            throw new InvalidOperationException($"Only {samples.Count} samples: run the soak for longer.");
        }
        var quarter = samples.Count / 4;
        var second = samples.Skip(quarter).Take(quarter).ToList();
        var last4 = samples.Skip(samples.Count - quarter).ToList();
        double Median(IEnumerable<double> values) => Measurement.Median([.. values]);
        var memoryThen = Median(second.Select(s => (double)s.WorkingSet));
        var memoryNow = Median(last4.Select(s => (double)s.WorkingSet));
        var heapThen = Median(second.Select(s => (double)s.Heap));
        var heapNow = Median(last4.Select(s => (double)s.Heap));
        var queuesThen = second.Max(s => s.WriteBehindUnsaved);
        var queuesNow = last4.Max(s => s.WriteBehindUnsaved);
        var activationsThen = second.Max(s => s.Activations);
        var activationsNow = last4.Max(s => s.Activations);
        var (warm, end) = (second[^1], samples[^1]);

        Measurement.Report("soak.minutes", duration.TotalMinutes, "min");
        Measurement.Report("soak.load.readings_over_http", counts.Readings, "readings");
        Measurement.Report("soak.load.case_steps", counts.Steps, "steps");
        Measurement.Report("soak.load.screen_reads", counts.Reads, "reads");
        Measurement.Report("soak.working_set.second_quarter_median", memoryThen / 1e6, "MB");
        Measurement.Report("soak.working_set.last_quarter_median", memoryNow / 1e6, "MB");
        Measurement.Ratio("soak.working_set.last/second_quarter", memoryNow, memoryThen);
        Measurement.Report("soak.heap.second_quarter_median", heapThen / 1e6, "MB");
        Measurement.Report("soak.heap.last_quarter_median", heapNow / 1e6, "MB");
        Measurement.Report("soak.activations.second_quarter_max", activationsThen, "activations");
        Measurement.Report("soak.activations.last_quarter_max", activationsNow, "activations");
        Measurement.Report("soak.write_behind_unsaved.second_quarter_max", queuesThen, "states");
        Measurement.Report("soak.write_behind_unsaved.last_quarter_max", queuesNow, "states");
        Measurement.Report("soak.audit_lines_waiting_at_end", end.AuditWaiting, "lines");
        Measurement.Report("soak.storage_conflicts_at_end", end.StorageConflicts, "conflicts");
        Measurement.Report("soak.ingest_rate_limited_after_warm_up", end.IngestRateLimited - warm.IngestRateLimited, "requests");
        Measurement.Report("soak.view_frames_dropped_after_warm_up", end.ViewFramesDropped - warm.ViewFramesDropped, "frames");

        var problems = new List<string>();
        // Flat: within 15% (and 30 MB of allocator noise) of the second quarter; queues back near empty; activations
        // grow only by the cases the operator reports (one every 14 s), never with the readings.
        if (memoryNow > memoryThen * 1.15 + 30e6)
        {
            problems.Add(FormattableString.Invariant($"working set grew from {memoryThen / 1e6:0} MB to {memoryNow / 1e6:0} MB"));
        }
        if (heapNow > heapThen * 1.25 + 30e6)
        {
            problems.Add(FormattableString.Invariant($"managed heap grew from {heapThen / 1e6:0} MB to {heapNow / 1e6:0} MB"));
        }
        if (queuesNow > Math.Max(2 * queuesThen, 1_000))
        {
            problems.Add($"unsaved write-behind states grew from at most {queuesThen} to {queuesNow}");
        }
        if (activationsNow > activationsThen * 1.1 + 500)
        {
            problems.Add($"activations grew from at most {activationsThen} to {activationsNow}");
        }
        if (end.AuditWaiting > 0 || counts.Failures > 0)
        {
            problems.Add($"{end.AuditWaiting} audit lines waiting at the end; {counts.Failures} requests failed: {counts.LastFailure}");
        }
        if (end.StorageConflicts > 0 || end.IngestRateLimited > warm.IngestRateLimited || end.ViewFramesDropped > warm.ViewFramesDropped)
        {
            problems.Add($"work refused or dropped: {end.StorageConflicts} storage conflicts, {end.IngestRateLimited - warm.IngestRateLimited} rate-limited ingest requests and {end.ViewFramesDropped - warm.ViewFramesDropped} dropped view frames after warm-up");
        }
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Soak: not flat: " + string.Join("; ", problems) + "\nThe silo said:\n" + silo.Output());
        }
        Console.WriteLine("soak: flat");
        return 0;
    }

    private sealed record Sample(
        TimeSpan At, long WorkingSet, long Heap, long Activations, long WriteBehindUnsaved, long AuditWaiting,
        long StorageConflicts, long IngestRateLimited, long ViewFramesDropped);

    private sealed class Counts
    {
        public long Readings;
        public long Steps;
        public long Reads;
        public long Failures;
        public string? LastFailure;

        public void Failed(string what)
        {
            Interlocked.Increment(ref Failures);
            LastFailure = what;
        }
    }

    /// <summary>The gauges of the silo's runtime and storage health checks (silo/Hosting/RuntimeHealthCheck.cs, StorageHealthCheck.cs).</summary>
    private static async Task<Sample> SampleAsync(SiloProcess silo, TimeSpan at)
    {
        var text = await (await silo.Http.GetAsync("/healthz/detail")).Content.ReadAsStringAsync();
        using var detail = JsonDocument.Parse(text);
        var checks = detail.RootElement.GetProperty("checks");
        var runtime = checks.GetProperty("runtime");
        var storage = checks.GetProperty("storage").GetProperty("data");
        long Gauge(JsonElement data, string name) => data.TryGetProperty(name, out var value)
            ? value.GetInt64()
            : throw new InvalidOperationException($"The silo's health detail has no gauge '{name}': {text[..Math.Min(600, text.Length)]}");
        var data = runtime.GetProperty("data");
        // Activations are counted by Orleans' management grain; when that call fails, the runtime check says so and they are missing.
        if (!data.TryGetProperty("activations", out var activations))
        {
            throw new InvalidOperationException($"The silo's runtime check counted no activations ({runtime.GetProperty("status").GetString()}): {runtime.GetProperty("description")}");
        }
        return new Sample(at, Gauge(data, "workingSetBytes"), Gauge(data, "gcHeapBytes"), activations.GetInt64(),
            Gauge(storage, "writeBehindUnsaved"), Gauge(storage, "auditLinesWaiting"), Gauge(storage, "storageConflicts"),
            Gauge(data, "ingestRateLimited"), Gauge(data, "viewFramesDropped"));
    }

    // 200 readings a second in batches of 20, each sensor's newer than its last.
    private static async Task GatewayAsync(SiloProcess silo, string[] sensors, Counts counts, CancellationToken stop)
    {
        var at = DateTimeOffset.UtcNow.AddHours(-12);
        var random = new Random(7);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await tick.WaitForNextTickAsync(stop))
            {
                at = at.AddMilliseconds(100);
                var batch = Enumerable.Range(0, 20).Select(i => new
                {
                    sensorId = sensors[random.Next(sensors.Length)],
                    measuredAt = at.AddTicks(i).ToString("O", CultureInfo.InvariantCulture),
                    value = Math.Round(random.NextDouble() * 0.05, 3),
                }).DistinctBy(r => r.sensorId).ToArray();
                var response = await silo.Http.PostAsJsonAsync("/api/ingest/readings", new { readings = batch }, CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                {
                    counts.Failed($"ingest {(int)response.StatusCode}");
                }
                Interlocked.Add(ref counts.Readings, batch.Length);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // A case reported and worked through the whole loop, a step every two seconds.
    private static async Task OperatorAsync(SiloProcess silo, Counts counts, CancellationToken stop)
    {
        string[] loop = ["register", "dispatch", "start-handling", "feedback", "pass-check", "evaluate"];
        try
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var reported = await silo.Http.PostAsJsonAsync("/api/cases", new { title = $"浸泡测试 {n}", categoryCode = "0302", longitude = 121.6050, latitude = 31.2050 + n % 40 * 0.0005 }, CancellationToken.None);
                if (!reported.IsSuccessStatusCode)
                {
                    counts.Failed($"report {(int)reported.StatusCode}");
                    continue;
                }
                var id = (await reported.Content.ReadFromJsonAsync<CaseRecord>(SiloProcess.Json, CancellationToken.None))!.CaseId;
                foreach (var step in loop)
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stop);
                    object body = step switch { "dispatch" => new { team = "市政养护一队" }, "evaluate" => new { score = 5 }, _ => new { } };
                    var response = await silo.Http.PostAsJsonAsync($"/api/cases/{id}/{step}", body, CancellationToken.None);
                    if (!response.IsSuccessStatusCode)
                    {
                        counts.Failed($"{step} {(int)response.StatusCode}");
                    }
                    Interlocked.Increment(ref counts.Steps);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task LeaderAsync(SiloProcess silo, Counts counts, CancellationToken stop)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await tick.WaitForNextTickAsync(stop))
            {
                var response = await silo.Http.GetAsync("/api/areas/city/children", CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                {
                    counts.Failed($"read {(int)response.StatusCode}");
                }
                Interlocked.Increment(ref counts.Reads);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
