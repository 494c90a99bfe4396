using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Tests.Shared;

namespace CityOps.Twin.Cluster.Tests.Support;

/// <summary>
/// Gateways and a duty desk working a cluster: readings for every sensor, cases reported and worked through the whole
/// loop, users created (audit lines). Records every request's outcome and time, and everything acknowledged (a 2xx
/// answer, the item accepted), so a test can say how long a silo's loss was felt and whether anything acknowledged
/// was lost.
/// </summary>
internal sealed class ClusterWorkload(LoopbackCluster cluster, IReadOnlyList<(string Id, SensorKind Kind)> sensors)
{
    /// <summary>The case loop's steps in order, each with the status it leads to and what it needs.</summary>
    public static readonly (string Route, CaseStatus After, object Body)[] Loop =
    [
        ("register", CaseStatus.Registered, new { }),
        ("dispatch", CaseStatus.Dispatched, new { team = "城运一组" }),
        ("start-handling", CaseStatus.Handling, new { }),
        ("feedback", CaseStatus.Feedback, new { }),
        ("pass-check", CaseStatus.Closed, new { }),
        ("evaluate", CaseStatus.Evaluated, new { score = 5 }),
    ];

    /// <summary>How long a request may take before it counts as failed: a call held by a dead silo's grain is answered in seconds once membership declares it dead.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A gateway's pace: a batch for its share of the city five times a second. Unpaced, three gateways take both
    /// cores and a case step waits seconds for a turn, which says nothing about the cluster.
    /// </summary>
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentBag<Request> _requests = [];
    private readonly ConcurrentDictionary<string, List<Acknowledged>> _readings = new(StringComparer.Ordinal);
    private long _readingCount;
    private int _steps;

    /// <summary>A request's silo, when it was sent and answered (Stopwatch timestamps), and whether it succeeded.</summary>
    public sealed record Request(int Silo, long Sent, long Answered, bool Succeeded, string What, string? Failure = null);

    /// <summary>A reading the cluster accepted: its time, and when the acceptance came (Stopwatch timestamp).</summary>
    public sealed record Acknowledged(DateTimeOffset At, long AcknowledgedAt);

    /// <summary>Every case acknowledged, with the status its last acknowledged step led to.</summary>
    public ConcurrentDictionary<string, CaseStatus> Cases { get; } = new(StringComparer.Ordinal);

    /// <summary>Users created (each an audit line "user.create" with the name as target).</summary>
    public ConcurrentBag<string> Users { get; } = [];

    public IReadOnlyCollection<Request> Requests => _requests;

    public long Readings => Interlocked.Read(ref _readingCount);

    public int Steps => Volatile.Read(ref _steps);

    /// <summary>Runs readings, case work and user creation through every silo of <paramref name="silos"/> while it is up, until <paramref name="stop"/>.</summary>
    public Task RunAsync(IReadOnlyList<int> silos, IReadOnlySet<string> quietSensors, CancellationToken stop)
    {
        var fed = sensors.Where(s => !quietSensors.Contains(s.Id)).ToList();
        var work = new List<Task>();
        for (var i = 0; i < silos.Count; i++)
        {
            var silo = silos[i];
            var share = fed.Where((_, n) => n % silos.Count == i).ToList();
            work.Add(Task.Run(() => ReadingsAsync(silo, share, stop)));
            work.Add(Task.Run(() => CasesAsync(silo, stop)));
        }
        work.Add(Task.Run(() => UsersAsync(silos, stop)));
        return Task.WhenAll(work);
    }

    /// <summary>Batches of a quiet reading for each of the sensors, one after another, as a gateway would.</summary>
    private async Task ReadingsAsync(int silo, List<(string Id, SensorKind Kind)> share, CancellationToken stop)
    {
        var round = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(BatchInterval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var at = DateTimeOffset.UtcNow;
            var batch = share.Select((s, i) => (s.Id, at, Math.Round(CityRequests.QuietValue(s.Kind) * (0.5 + (i + round) % 10 / 20.0), 3))).ToList();
            round++;
            await SendAsync(silo, "readings", async (process, cancel) =>
            {
                var result = await CityRequests.IngestAsync(process, batch, cancel);
                var acknowledgedAt = Stopwatch.GetTimestamp();
                var refused = result.Rejected.Select(r => r.Index).ToHashSet();
                for (var i = 0; i < batch.Count; i++)
                {
                    if (!refused.Contains(i))
                    {
                        var acknowledged = _readings.GetOrAdd(batch[i].Id, _ => []);
                        lock (acknowledged)
                        {
                            acknowledged.Add(new Acknowledged(at, acknowledgedAt));
                        }
                        Interlocked.Increment(ref _readingCount);
                    }
                }
            }, stop);
        }
    }

    /// <summary>An operator at one silo reporting cases and taking each through the whole loop; a refused step leaves the case and starts another.</summary>
    private async Task CasesAsync(int silo, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            string? id = null;
            await SendAsync(silo, "report", async (process, cancel) =>
            {
                id = (await CityRequests.ReportAsync(process, "0302", $"道路破损 {silo}-{n}", CityRequests.PointOf(silo * 1000 + n), cancel)).CaseId;
                Cases[id] = CaseStatus.Reported;
            }, stop);
            if (id is null)
            {
                continue;
            }
            foreach (var (route, after, body) in Loop)
            {
                var done = false;
                await SendAsync(silo, route, async (process, cancel) =>
                {
                    (await process.Http.PostAsJsonAsync($"/api/cases/{id}/{route}", body, cancel)).EnsureSuccessStatusCode();
                    Cases[id] = after;
                    Interlocked.Increment(ref _steps);
                    done = true;
                }, stop);
                if (!done)
                {
                    break;
                }
            }
        }
    }

    /// <summary>An administrator creating a user now and then, through each silo in turn.</summary>
    private async Task UsersAsync(IReadOnlyList<int> silos, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var silo = silos[n % silos.Count];
            var name = $"巡查员-{Guid.NewGuid().ToString("N")[..8]}";
            await SendAsync(silo, "user.create", async (process, cancel) =>
            {
                (await process.Http.PostAsJsonAsync("/api/admin/users", new { name, roles = new[] { "Operator" } }, cancel)).EnsureSuccessStatusCode();
                Users.Add(name);
            }, stop);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// One request to a silo, if it is up, timed and recorded; an exception or a refusal is a failed request. A silo
    /// that is down is skipped after a short pause (the load goes to the silos that are up).
    /// </summary>
    private async Task SendAsync(int silo, string what, Func<SiloProcess, CancellationToken, Task> request, CancellationToken stop)
    {
        if (stop.IsCancellationRequested)
        {
            return;
        }
        if (!cluster.IsUp(silo))
        {
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
            }
            return;
        }
        SiloProcess process;
        try
        {
            process = cluster[silo];
        }
        catch (InvalidOperationException)
        {
            return;
        }
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = new CancellationTokenSource(RequestTimeout);
            await request(process, timeout.Token);
            _requests.Add(new Request(silo, sent, Stopwatch.GetTimestamp(), true, what));
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or JsonException or ObjectDisposedException)
        {
            _requests.Add(new Request(silo, sent, Stopwatch.GetTimestamp(), false, what,
                exception is OperationCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0} s" : exception.Message));
        }
    }

    /// <summary>Acknowledged cases missing, and acknowledged steps missing (a case behind the status its last acknowledged step led to).</summary>
    public async Task<(List<string> MissingCases, List<string> MissingSteps)> CheckCasesAsync(SiloProcess silo)
    {
        var missingCases = new ConcurrentBag<string>();
        var missingSteps = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, cancel) =>
        {
            var response = await silo.Http.GetAsync($"/api/cases/{item.Key}", cancel);
            if (!response.IsSuccessStatusCode)
            {
                missingCases.Add($"{item.Key} ({(int)response.StatusCode})");
                return;
            }
            var stored = (await response.Content.ReadFromJsonAsync<CaseRecord>(SiloProcess.Json, cancel))!.Status;
            if (Order(stored) < Order(item.Value))
            {
                missingSteps.Add($"{item.Key}: acknowledged {item.Value}, stored {stored}");
            }
        });
        return ([.. missingCases], [.. missingSteps]);
    }

    private static int Order(CaseStatus status) => status == CaseStatus.Reported ? 0 : Array.FindIndex(Loop, s => s.After == status) + 1;

    /// <summary>Users created whose audit line "user.create" is not in the log.</summary>
    public async Task<List<string>> CheckAuditAsync(SiloProcess silo)
    {
        using var audit = JsonDocument.Parse(await silo.Http.GetStringAsync("/api/admin/audit?action=user.create&count=100000"));
        var targets = audit.RootElement.EnumerateArray().Select(line => line.GetProperty("record").GetProperty("target").GetString()).ToHashSet(StringComparer.Ordinal);
        return [.. Users.Where(u => !targets.Contains(u))];
    }

    /// <summary>
    /// Readings acknowledged but not kept: each sensor's stored latest reading against what was acknowledged after it.
    /// A lost reading acknowledged within <paramref name="window"/> before <paramref name="crashAt"/> (a Stopwatch
    /// timestamp) is the write-behind's allowance; any other is a loss.
    /// </summary>
    /// <summary>
    /// A GET that honours the twin's 503 "Database unavailable" with its Retry-After, as its clients are told to: a cluster
    /// just restarted activates thousands of grains at once and a read can wait longer than the pool allows. Three tries.
    /// </summary>
    private static async Task<string> GetHonouringRetryAfterAsync(HttpClient http, string path, CancellationToken cancel)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var answer = await http.GetAsync(path, cancel);
            if (answer.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || attempt == 3)
            {
                return await answer.EnsureSuccessStatusCode().Content.ReadAsStringAsync(cancel);
            }
            await Task.Delay(answer.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancel);
        }
    }

    public async Task<(int WithinWindow, List<string> Lost)> CheckReadingsAsync(SiloProcess silo, long crashAt, TimeSpan window)
    {
        var within = 0;
        var lost = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(_readings, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, cancel) =>
        {
            using var device = JsonDocument.Parse(await GetHonouringRetryAfterAsync(silo.Http, $"/api/devices/{item.Key}", cancel));
            var stored = device.RootElement.GetProperty("measuredAt") is { ValueKind: JsonValueKind.String } at ? at.GetDateTimeOffset() : DateTimeOffset.MinValue;
            List<Acknowledged> missing;
            lock (item.Value)
            {
                missing = [.. item.Value.Where(a => a.At > stored)];
            }
            foreach (var reading in missing)
            {
                var beforeCrash = Stopwatch.GetElapsedTime(reading.AcknowledgedAt, crashAt);
                if (beforeCrash > TimeSpan.Zero && beforeCrash <= window)
                {
                    Interlocked.Increment(ref within);
                }
                else
                {
                    lost.Add($"{item.Key} {reading.At:O} acknowledged {beforeCrash.TotalSeconds:0.000} s before the crash; stored {stored:O}");
                }
            }
        });
        return (within, [.. lost]);
    }
}
