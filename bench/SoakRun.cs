using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Cases;

namespace CityOps.Twin.Bench;

/// <summary>
/// Soak: the real silo process at the demo's load (its simulator at 50 readings/s, a gateway posting 200 readings/s
/// over HTTP, an operator working a case through its loop every two seconds, a leader's screen reading the city's
/// signs every second) for 30 minutes, or as long as asked (2 in CI). Every few seconds it samples the silo's
/// working set, managed heap and queue depths (mailboxes, streams, audit lines waiting); at the end it checks they
/// stayed flat: the last quarter of the run against the second (the first is warm-up).
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
            Console.WriteLine(FormattableString.Invariant($"soak: {last.At.TotalMinutes,5:0.0} min  working set {last.WorkingSet / 1e6,7:0} MB  heap {last.Heap / 1e6,7:0} MB  mailboxes {last.Mailboxes,5}  streams {last.Streams,5}  audit waiting {last.AuditWaiting}"));
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
        var queuesThen = second.Max(s => s.Mailboxes + s.Streams);
        var queuesNow = last4.Max(s => s.Mailboxes + s.Streams);

        Measurement.Report("soak.minutes", duration.TotalMinutes, "min");
        Measurement.Report("soak.load.readings_over_http", counts.Readings, "readings");
        Measurement.Report("soak.load.case_steps", counts.Steps, "steps");
        Measurement.Report("soak.load.screen_reads", counts.Reads, "reads");
        Measurement.Report("soak.working_set.second_quarter_median", memoryThen / 1e6, "MB");
        Measurement.Report("soak.working_set.last_quarter_median", memoryNow / 1e6, "MB");
        Measurement.Ratio("soak.working_set.last/second_quarter", memoryNow, memoryThen);
        Measurement.Report("soak.heap.second_quarter_median", heapThen / 1e6, "MB");
        Measurement.Report("soak.heap.last_quarter_median", heapNow / 1e6, "MB");
        Measurement.Report("soak.queues.second_quarter_max", queuesThen, "items (mailboxes + streams)");
        Measurement.Report("soak.queues.last_quarter_max", queuesNow, "items (mailboxes + streams)");
        Measurement.Report("soak.audit_lines_waiting_at_end", samples[^1].AuditWaiting, "lines");

        var problems = new List<string>();
        // Flat: within 15% (and 30 MB of allocator noise) of the second quarter; queues back near empty.
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
            problems.Add($"queues grew from at most {queuesThen} to {queuesNow} items");
        }
        if (samples[^1].AuditWaiting > 0 || counts.Failures > 0)
        {
            problems.Add($"{samples[^1].AuditWaiting} audit lines waiting at the end; {counts.Failures} requests failed: {counts.LastFailure}");
        }
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Soak: not flat: " + string.Join("; ", problems) + "\nThe silo said:\n" + silo.Output());
        }
        Console.WriteLine("soak: flat");
        return 0;
    }

    private sealed record Sample(TimeSpan At, long WorkingSet, long Heap, long Mailboxes, long Streams, long AuditWaiting);

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

    private static async Task<Sample> SampleAsync(SiloProcess silo, TimeSpan at)
    {
        using var detail = JsonDocument.Parse(await (await silo.Http.GetAsync("/healthz/detail")).Content.ReadAsStringAsync());
        var checks = detail.RootElement.GetProperty("checks");
        var runtime = checks.GetProperty("runtime").GetProperty("data");
        var storage = checks.GetProperty("storage").GetProperty("data");
        return new Sample(at, runtime.GetProperty("workingSetBytes").GetInt64(), runtime.GetProperty("gcHeapBytes").GetInt64(),
            runtime.GetProperty("mailboxDepth").GetInt64(), runtime.GetProperty("streamQueueDepth").GetInt64(), storage.GetProperty("auditLinesWaiting").GetInt64());
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
