using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using Microsoft.Playwright;
using Npgsql;

namespace CityOps.Twin.Bench;

/// <summary>
/// The twin as a cluster of real silo processes over one PostgreSQL, 1, 2 and 3 silos, each cluster over a new
/// database: readings acknowledged per second with the load spread round-robin over every silo's HTTP API, and the
/// scale efficiency against one silo (on this machine the silos, PostgreSQL and the load share the same cores, which
/// the figure prints beside it); freshness across silos, from a reading's acknowledgement by one silo to its alarm
/// in the alarm list of the operations map open on another (the view hears the city through its silo's live feed),
/// and to the alarm read back through that other silo's API; and failover, one of three silos killed with SIGKILL
/// under load, until every request to the survivors succeeds again, against a single silo killed and started
/// again over the same database in the same run.
/// </summary>
internal static class ClusterBenchmark
{
    /// <summary>A call slower than this during failover counts as disturbed, like a failed one: it normally takes tens of ms.</summary>
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(1);

    /// <summary>How long every call to the survivors must have succeeded before the failover counts as over.</summary>
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(3);

    /// <summary>Longer than this from a kill to requests succeeding again fails the run: the product promises seconds.</summary>
    private static readonly TimeSpan LongestOutage = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(bool quick)
    {
        var settings = quick ? Settings.Quick : Settings.Full;
        var gateways = Environment.ProcessorCount * 2;
        await using var postgres = await BenchPostgres.StartAsync();
        using var city = quick ? SmallCity.Write() : null;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await TwinBrowser.LaunchAsync(playwright, "cluster");

        var throughput = new Dictionary<int, double>();
        var freshness = new Dictionary<int, (List<double> View, List<double> ReadBack)>();
        Outage? single = null;
        Outage? failover = null;
        foreach (var size in new[] { 1, 2, 3 })
        {
            var started = Stopwatch.GetTimestamp();
            await using var cluster = await BenchCluster.StartAsync(postgres, size, city?.Arguments ?? []);
            Console.WriteLine($"cluster.setup.{size}_silos: started in {Stopwatch.GetElapsedTime(started).TotalSeconds:N1} s over database {cluster.Database}");
            var sensors = await cluster.Silos[0].SensorsAsync();
            var clock = new ReadingClock();
            throughput[size] = await IngestAsync(cluster, sensors, clock, settings, gateways);
            var placement = await PlacementAsync(cluster, $"cluster.placement.{size}_silos");
            freshness[size] = await FreshnessAsync(cluster, placement, sensors, clock, browser, settings);
            if (size == 1)
            {
                single = await RestartSingleAsync(cluster, sensors, clock, settings, gateways);
            }
            if (size == 3)
            {
                failover = await FailoverAsync(cluster, placement, sensors, clock, settings, gateways);
            }
        }

        Console.WriteLine($"cluster.cores: {Environment.ProcessorCount} (shared by every silo, PostgreSQL and the load generator)");
        foreach (var (size, rate) in throughput)
        {
            Measurement.Report($"cluster.ingest.{size}_silos", rate, $"readings/s acknowledged ({gateways} gateways round-robin over the silos' HTTP APIs)");
        }
        foreach (var size in throughput.Keys.Where(s => s > 1))
        {
            Measurement.Ratio($"cluster.ingest.{size}_silos/1_silo", throughput[size], throughput[1]);
            Measurement.Ratio($"cluster.ingest.scale_efficiency.{size}_silos", throughput[size], size * throughput[1]);
        }
        foreach (var (size, (view, readBack)) in freshness)
        {
            var where = size == 1 ? "same silo" : "another silo";
            Measurement.Report($"cluster.freshness.{size}_silos.view_p50", Percentile(view, 0.50), $"ms (acknowledged to alarm on the map of {where})");
            Measurement.Report($"cluster.freshness.{size}_silos.view_p99", Percentile(view, 0.99), "ms");
            Measurement.Report($"cluster.freshness.{size}_silos.read_back_p50", Percentile(readBack, 0.50), $"ms (acknowledged to alarm read through the API of {where})");
            Measurement.Report($"cluster.freshness.{size}_silos.read_back_p99", Percentile(readBack, 0.99), "ms");
        }
        foreach (var size in freshness.Keys.Where(s => s > 1))
        {
            Measurement.Ratio($"cluster.freshness.{size}_silos.view_p99/1_silo", Percentile(freshness[size].View, 0.99), Percentile(freshness[1].View, 0.99));
        }
        Measurement.Report("cluster.failover.3_silos.until_every_request_succeeds", failover!.Seconds, "s after SIGKILL of the silo holding the city");
        Console.WriteLine($"cluster.failover.3_silos.failed_calls_to_survivors: {failover.FailedCalls} of {failover.Calls:N0} calls to the survivors after the kill");
        Console.WriteLine($"cluster.failover.3_silos.stalled_calls_to_survivors: {failover.StalledCalls} calls over {Stalled.TotalSeconds:N0} s (the longest took {failover.LongestCallSeconds:N2} s)");
        Console.WriteLine($"cluster.failover.3_silos.calls_lost_with_the_killed_silo: {failover.LostInFlight} calls in flight to it");
        if (failover.FirstProblem is { } problem)
        {
            Console.WriteLine($"cluster.failover.3_silos.first_failed_call: {problem}");
        }
        Measurement.Report("cluster.failover.baseline.single_silo_until_serving_again", single!.Seconds, "s after SIGKILL, started again over the same database");
        Measurement.Ratio("cluster.failover.3_silos/single_silo_restart", failover.Seconds, single.Seconds);
    }

    private sealed record Settings(int IngestRounds, int ReadingsPerRound, int Probes, TimeSpan LoadBeforeKill)
    {
        public static readonly Settings Quick = new(1, 4_000, 6, TimeSpan.FromSeconds(2));

        public static readonly Settings Full = new(3, 200_000, 60, TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Gateways each own a share of the city's sensors and send batches of 5,000 readings one after another, batch
    /// k of gateway g to silo (g + k) mod n, so every silo's API takes the same share. The bodies are made before
    /// the clock starts; a sensor's readings go out in order (one gateway, awaited), so none is refused as stale.
    /// </summary>
    private static async Task<double> IngestAsync(BenchCluster cluster, List<(string Id, SensorKind Kind)> sensors, ReadingClock clock, Settings settings, int gateways)
    {
        const int BatchSize = 5_000;
        var rules = SensorRulebook.Default;
        var perGateway = settings.ReadingsPerRound / gateways;
        var bodies = new List<byte[]>[settings.IngestRounds + 1][];
        for (var round = 0; round <= settings.IngestRounds; round++)
        {
            bodies[round] = new List<byte[]>[gateways];
            for (var gateway = 0; gateway < gateways; gateway++)
            {
                var share = sensors.Where((_, i) => i % gateways == gateway).ToArray();
                var batches = bodies[round][gateway] = [];
                for (var offset = 0; offset < perGateway; offset += BatchSize)
                {
                    var count = Math.Min(BatchSize, perGateway - offset);
                    // Every reading of a batch a millisecond after the last of its sensor; the clock moves past them all.
                    var first = clock.Take(count / share.Length + 1);
                    var batch = Enumerable.Range(0, count).Select(k => new
                    {
                        sensorId = share[k % share.Length].Id,
                        measuredAt = first.AddMilliseconds(k / share.Length).ToString("O", CultureInfo.InvariantCulture),
                        value = rules.For(share[k % share.Length].Kind, OperatingMode.Normal).Blue * (0.2 + (offset + k) % 7 / 20.0),
                    });
                    batches.Add(JsonSerializer.SerializeToUtf8Bytes(new { readings = batch }));
                }
            }
        }

        var next = 0;
        var silos = cluster.Silos;
        return (await Measurement.MedianRatesAsync(settings.IngestRounds, ("cluster", async () =>
        {
            var round = bodies[next++];
            var accepted = await Task.WhenAll(round.Select(async (batches, gateway) =>
            {
                long count = 0;
                for (var k = 0; k < batches.Count; k++)
                {
                    var (ok, acknowledged, problem) = await PostAsync(silos[(gateway + k) % silos.Count].Http, batches[k]);
                    if (!ok)
                    {
                        throw new InvalidOperationException($"A batch was refused in part or whole by silo {(gateway + k) % silos.Count}: {problem}");
                    }
                    count += acknowledged;
                }
                return count;
            }));
            return accepted.Sum();
        })))["cluster"];
    }

    /// <summary>
    /// Probe readings, one after another after a random pause, each sending one of a few sensors into red alarm or
    /// back, through the silo that holds the most sensor grains (the one that filed the city holds them all: grains
    /// stay where they were activated); the view is the operations map open on the silo holding the fewest, another
    /// one whenever there are two or more. From each acknowledgement, the time until the sensor's alarm appears in
    /// (or leaves) the map's alarm list, and until that silo's API reads the sensor's new level.
    /// </summary>
    private static async Task<(List<double> View, List<double> ReadBack)> FreshnessAsync(
        BenchCluster cluster, int[] placement, List<(string Id, SensorKind Kind)> sensors, ReadingClock clock, IBrowser browser, Settings settings)
    {
        var holding = Array.IndexOf(placement, placement.Max());
        var ingest = cluster.Silos[holding];
        var viewIndex = cluster.Size == 1 ? holding : Enumerable.Range(0, cluster.Size).Where(i => i != holding).MinBy(i => placement[i]);
        var viewing = cluster.Silos[viewIndex];
        Console.WriteLine($"cluster.freshness.{cluster.Size}_silos.setup: readings through silo {holding} (holding {placement[holding]} sensor grains), the map open on silo {viewIndex} (holding {placement[viewIndex]})");
        var page = await TwinBrowser.OpenMapAsync(browser, viewing, await TwinBrowser.CreateViewerAsync(viewing, $"bench-view-{cluster.Size}"));
        var rules = SensorRulebook.Default;
        var probes = sensors.Where(s => s.Kind == SensorKind.Waterlogging).Take(8).ToArray();
        var red = new bool[probes.Length];
        var view = new List<double>(settings.Probes);
        var readBack = new List<double>(settings.Probes);
        var random = new Random(settings.Probes);
        try
        {
            for (var i = 0; i < settings.Probes; i++)
            {
                await Task.Delay(random.Next(50, 150));
                var slot = i % probes.Length;
                var (id, kind) = probes[slot];
                red[slot] = !red[slot];
                var thresholds = rules.For(kind, OperatingMode.Normal);
                var value = red[slot] ? thresholds.Red + (thresholds.PhysicalMaximum - thresholds.Red) * 0.1 : thresholds.Blue * 0.5;
                var body = JsonSerializer.SerializeToUtf8Bytes(new
                {
                    readings = new[] { new { sensorId = id, measuredAt = clock.Take(1).ToString("O", CultureInfo.InvariantCulture), value } },
                });
                var (ok, _, problem) = await PostAsync(ingest.Http, body);
                if (!ok)
                {
                    throw new InvalidOperationException($"Probe {i} on {id} was refused: {problem}");
                }
                var acknowledged = Stopwatch.GetTimestamp();
                var item = page.Locator($"[data-testid=alarm-list] [data-sensor-id='{id}']");
                var shown = ShownAsync(item, red[slot] ? WaitForSelectorState.Attached : WaitForSelectorState.Detached, acknowledged);
                var read = ReadBackAsync(viewing.Http, id, red[slot] ? AlarmLevel.Red : AlarmLevel.None, acknowledged);
                view.Add(await shown);
                readBack.Add(await read);
            }
        }
        catch (TimeoutException timeout)
        {
            throw new InvalidOperationException($"{cluster.Size} silos: a probe's alarm did not reach the map on silo {viewIndex}: {timeout.Message}", timeout);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
        return (view, readBack);
    }

    private static async Task<double> ShownAsync(ILocator item, WaitForSelectorState state, long since)
    {
        await item.WaitForAsync(new LocatorWaitForOptions { State = state, Timeout = 30_000 });
        return Stopwatch.GetElapsedTime(since).TotalMilliseconds;
    }

    private static async Task<double> ReadBackAsync(HttpClient http, string sensorId, AlarmLevel expected, long since)
    {
        while (true)
        {
            var snapshot = await http.GetFromJsonAsync<SensorSnapshot>($"/api/devices/{sensorId}", SiloProcess.Json);
            if (snapshot!.Level == expected)
            {
                return Stopwatch.GetElapsedTime(since).TotalMilliseconds;
            }
            if (Stopwatch.GetElapsedTime(since) > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"{sensorId} still reads {snapshot.Level}, not {expected}, 30 s after its reading was acknowledged.");
            }
        }
    }

    /// <summary>The single silo under load killed, then started again over the same database: until a reading is acknowledged again.</summary>
    private static async Task<Outage> RestartSingleAsync(BenchCluster cluster, List<(string Id, SensorKind Kind)> sensors, ReadingClock clock, Settings settings, int gateways)
    {
        var load = new OutageLoad(sensors, clock, gateways);
        var running = load.RunAsync([cluster.Silos[0]]);
        await Task.Delay(settings.LoadBeforeKill);
        await cluster.Silos[0].KillAsync();
        var killed = Stopwatch.GetTimestamp();
        load.Stop();
        await running;
        var again = await cluster.RestartAsync(0);
        while (true)
        {
            var (ok, _, problem) = await PostAsync(again.Http, load.NextBatch(0));
            if (ok)
            {
                break;
            }
            if (Stopwatch.GetElapsedTime(killed) > LongestOutage)
            {
                throw new InvalidOperationException($"The restarted silo did not take a reading within {LongestOutage.TotalSeconds:N0} s of the kill: {problem}");
            }
        }
        var seconds = Stopwatch.GetElapsedTime(killed).TotalSeconds;
        Console.WriteLine($"cluster.failover.baseline: the silo took {again.SecondsToServe:N1} s from its start to healthy; {load.Calls(0).Count(c => !c.Ok && c.StartedAt < killed)} calls in flight failed with it");
        return new Outage(seconds, 0, 0, 0, 0, 0);
    }

    /// <summary>
    /// Load round-robin over the three silos, then SIGKILL of the one holding the most sensor grains (the one that filed the city)
    /// and the load round-robin over the survivors, as a load balancer that noticed the dead silo's port close. Over
    /// when every call to the survivors has succeeded promptly for <see cref="Settled"/>: the figure is the end of
    /// the last call that failed or stalled.
    /// </summary>
    private static async Task<Outage> FailoverAsync(BenchCluster cluster, int[] placement, List<(string Id, SensorKind Kind)> sensors, ReadingClock clock, Settings settings, int gateways)
    {
        var load = new OutageLoad(sensors, clock, gateways);
        var victim = cluster.Silos[Array.IndexOf(placement, placement.Max())];
        var survivors = cluster.Silos.Where(s => s != victim).ToArray();
        var running = load.RunAsync(cluster.Silos.ToArray());
        await Task.Delay(settings.LoadBeforeKill);
        load.Route(survivors);
        await victim.KillAsync();
        var killed = Stopwatch.GetTimestamp();
        while (true)
        {
            await Task.Delay(100);
            var after = load.Calls(killed).Where(c => c.Silo != victim).ToList();
            var disturbed = after.Where(c => !c.Ok || c.Seconds > Stalled.TotalSeconds).Select(c => c.EndedAt).DefaultIfEmpty(killed).Max();
            if (Stopwatch.GetElapsedTime(disturbed) >= Settled && after.Any(c => c.Ok && c.StartedAt > disturbed))
            {
                break;
            }
            if (Stopwatch.GetElapsedTime(killed) > LongestOutage)
            {
                load.Stop();
                throw new InvalidOperationException($"Calls to the survivors still failed or stalled {LongestOutage.TotalSeconds:N0} s after the kill: "
                    + string.Join("; ", after.Where(c => !c.Ok).TakeLast(3).Select(c => c.Problem)) + $"\nA survivor said:\n{survivors[0].Output()}");
            }
        }
        load.Stop();
        await running;
        var calls = load.Calls(killed);
        var toSurvivors = calls.Where(c => c.Silo != victim).ToList();
        var last = toSurvivors.Where(c => !c.Ok || c.Seconds > Stalled.TotalSeconds).Select(c => c.EndedAt).DefaultIfEmpty(killed).Max();
        await PlacementAsync(cluster, "cluster.placement.after_failover", survivors[0]);
        return new Outage(
            Stopwatch.GetElapsedTime(killed, last).TotalSeconds,
            toSurvivors.Count,
            toSurvivors.Count(c => !c.Ok),
            toSurvivors.Count(c => c.Ok && c.Seconds > Stalled.TotalSeconds),
            toSurvivors.Select(c => c.Seconds).DefaultIfEmpty(0).Max(),
            load.Calls(0).Count(c => c.Silo == victim && !c.Ok),
            toSurvivors.FirstOrDefault(c => !c.Ok)?.Problem);
    }

    private sealed record Outage(double Seconds, int Calls, int FailedCalls, int StalledCalls, double LongestCallSeconds, int LostInFlight, string? FirstProblem = null);

    private sealed record Call(SiloProcess Silo, long StartedAt, long EndedAt, bool Ok, string? Problem)
    {
        public double Seconds => Stopwatch.GetElapsedTime(StartedAt, EndedAt).TotalSeconds;
    }

    /// <summary>Gateways sending batches (one reading of each sensor of their share) one after another to the silos routed to, each call noted.</summary>
    private sealed class OutageLoad(List<(string Id, SensorKind Kind)> sensors, ReadingClock clock, int gateways)
    {
        private readonly List<Call> _calls = [];
        private readonly CancellationTokenSource _stop = new();
        private SiloProcess[] _silos = [];

        public void Route(SiloProcess[] silos) => Volatile.Write(ref _silos, silos);

        public void Stop() => _stop.Cancel();

        public List<Call> Calls(long since)
        {
            lock (_calls)
            {
                return [.. _calls.Where(c => c.StartedAt >= since)];
            }
        }

        public byte[] NextBatch(int gateway)
        {
            var rules = SensorRulebook.Default;
            var at = clock.Take(1).ToString("O", CultureInfo.InvariantCulture);
            return JsonSerializer.SerializeToUtf8Bytes(new
            {
                readings = sensors.Where((_, i) => i % gateways == gateway).Select((s, i) => new
                {
                    sensorId = s.Id,
                    measuredAt = at,
                    value = rules.For(s.Kind, OperatingMode.Normal).Blue * (0.2 + i % 7 / 20.0),
                }),
            });
        }

        public Task RunAsync(SiloProcess[] silos)
        {
            Route(silos);
            return Task.WhenAll(Enumerable.Range(0, gateways).Select(async gateway =>
            {
                for (var k = gateway; !_stop.IsCancellationRequested; k++)
                {
                    var route = Volatile.Read(ref _silos);
                    var silo = route[k % route.Length];
                    var body = NextBatch(gateway);
                    var started = Stopwatch.GetTimestamp();
                    var (ok, _, problem) = await PostAsync(silo.Http, body);
                    lock (_calls)
                    {
                        _calls.Add(new Call(silo, started, Stopwatch.GetTimestamp(), ok, problem));
                    }
                }
            }));
        }
    }

    /// <summary>Posts a batch; ok when the silo took it whole.</summary>
    private static async Task<(bool Ok, long Accepted, string? Problem)> PostAsync(HttpClient http, byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync("/api/ingest/readings", content);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                return (false, 0, $"{(int)response.StatusCode}: {text[..Math.Min(300, text.Length)]}");
            }
            using var result = JsonDocument.Parse(text);
            var rejected = result.RootElement.GetProperty("rejected");
            return rejected.GetArrayLength() == 0
                ? (true, result.RootElement.GetProperty("accepted").GetInt64(), null)
                : (false, 0, $"{rejected.GetArrayLength()} refused, the first: {rejected[0]}");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return (false, 0, exception.Message);
        }
    }

    /// <summary>
    /// How many of the city's sensor grains each silo of the cluster holds (by its index; a dead one holds none), as
    /// the cluster API tells, and printed with the grid grains under the name given.
    /// </summary>
    private static async Task<int[]> PlacementAsync(BenchCluster cluster, string name, SiloProcess? asking = null)
    {
        using var view = JsonDocument.Parse(await (asking ?? cluster.Silos[^1]).Http.GetStringAsync("/api/admin/cluster"));
        var sensors = new int[cluster.Size];
        var grids = new int[cluster.Size];
        foreach (var silo in view.RootElement.GetProperty("silos").EnumerateArray().Where(s => s.GetProperty("status").GetString() == "Active"))
        {
            // "127.0.0.1:11111@155123434": the silo port tells which of ours it is.
            var address = silo.GetProperty("address").GetString()!;
            var port = int.Parse(address[(address.LastIndexOf(':') + 1)..address.IndexOf('@')], CultureInfo.InvariantCulture);
            var index = cluster.IndexOfSiloPort(port);
            sensors[index] = Count(silo, "SensorGrain");
            grids[index] = Count(silo, "GridGrain");
        }
        Console.WriteLine($"{name}: sensor grains on silo 0..{cluster.Size - 1} (in order of start) {string.Join(" / ", sensors)}, grid grains {string.Join(" / ", grids)}");
        return sensors;

        static int Count(JsonElement silo, string grain) => silo.GetProperty("activations").TryGetProperty(grain, out var n) ? n.GetInt32() : 0;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    /// <summary>
    /// Reading times for one cluster: from 30 minutes ago, a millisecond on each time one is taken, and never behind
    /// the wall clock once it catches up, so a sensor's next reading is always newer than its last (older is refused).
    /// </summary>
    private sealed class ReadingClock
    {
        private DateTimeOffset _next = DateTimeOffset.UtcNow.AddMinutes(-30);

        public DateTimeOffset Take(int milliseconds)
        {
            lock (this)
            {
                var now = DateTimeOffset.UtcNow.AddSeconds(-1);
                var taken = _next > now ? _next : now;
                _next = taken.AddMilliseconds(milliseconds);
                return taken;
            }
        }
    }

    /// <summary>A cluster of silo processes over a database of its own, created for it and dropped after.</summary>
    private sealed class BenchCluster : IAsyncDisposable
    {
        private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

        private readonly BenchPostgres _postgres;
        private readonly List<TempFolder> _folders = [];
        private readonly List<string[]> _arguments = [];

        private BenchCluster(BenchPostgres postgres, int size, string database)
        {
            _postgres = postgres;
            Size = size;
            Database = database;
        }

        public int Size { get; }

        public string Database { get; }

        public List<SiloProcess> Silos { get; } = [];

        /// <summary>The first silo (it files the city and prints the administrator's password), then the others, one by one.</summary>
        public static async Task<BenchCluster> StartAsync(BenchPostgres postgres, int size, string[] city)
        {
            var database = $"cluster{size}_{Environment.ProcessId}_{DateTime.UtcNow:HHmmss}";
            await using (var admin = new NpgsqlConnection(postgres.ConnectionString))
            {
                await admin.OpenAsync();
                await new NpgsqlCommand($"CREATE DATABASE {database}", admin).ExecuteNonQueryAsync();
            }
            var connection = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database }.ConnectionString;
            var cluster = new BenchCluster(postgres, size, database);
            try
            {
                for (var i = 0; i < size; i++)
                {
                    var folder = new TempFolder();
                    cluster._folders.Add(folder);
                    cluster._arguments.Add([
                        "--storage", "postgres", "--connection", connection, "--cluster", database,
                        "--silo-port", LoopbackPort.Free().ToString(CultureInfo.InvariantCulture),
                        "--gateway-port", LoopbackPort.Free().ToString(CultureInfo.InvariantCulture), .. city]);
                    cluster.Silos.Add(await SiloProcess.StartAsync(folder.Path, cluster._arguments[i], StartTimeout, database));
                }
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
            return cluster;
        }

        public int IndexOfSiloPort(int port) =>
            _arguments.FindIndex(a => a[Array.IndexOf(a, "--silo-port") + 1] == port.ToString(CultureInfo.InvariantCulture)) is >= 0 and var index
                ? index
                : throw new InvalidOperationException($"The cluster API lists a silo on port {port}, which is none of this cluster's.");

        /// <summary>Starts silo <paramref name="index"/> again (after a kill) over its folder and ports.</summary>
        public async Task<SiloProcess> RestartAsync(int index)
        {
            await Silos[index].DisposeAsync();
            Silos[index] = await SiloProcess.StartAsync(_folders[index].Path, _arguments[index], StartTimeout, Database);
            return Silos[index];
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var silo in Silos)
            {
                await silo.DisposeAsync();
            }
            foreach (var folder in _folders)
            {
                folder.Dispose();
            }
            await using var admin = new NpgsqlConnection(_postgres.ConnectionString);
            await admin.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)", admin).ExecuteNonQueryAsync();
        }
    }
}
