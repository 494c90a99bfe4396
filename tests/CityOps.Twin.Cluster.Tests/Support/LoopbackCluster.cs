using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Tests.Shared;
using Npgsql;

namespace CityOps.Twin.Cluster.Tests.Support;

/// <summary>
/// A cluster of real silo processes on loopback over a PostgreSQL database of its own (created on the server the
/// test command started, dropped at the end). Each silo keeps its data folder and its silo, gateway and HTTP ports
/// across restarts, as a silo of a real deployment keeps its address: a silo back on its old port replaces its own
/// entry in the membership table at once.
/// </summary>
internal sealed class LoopbackCluster : IAsyncDisposable
{
    public const string ClusterId = "cluster-tests";

    /// <summary>How long a silo process may take to serve: several start at once on two cores, each activating its city.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly string _database;
    private readonly string _folder;
    private readonly string[] _extraArguments;
    private readonly SiloProcess?[] _silos;
    private readonly (int Silo, int Gateway, int Http)[] _ports;

    private LoopbackCluster(string database, string connectionString, string folder, int count, string[] extraArguments)
    {
        _database = database;
        ConnectionString = connectionString;
        _folder = folder;
        _extraArguments = extraArguments;
        _silos = new SiloProcess?[count];
        _ports = [.. Enumerable.Range(0, count).Select(_ => (FreePort(), FreePort(), FreePort()))];
    }

    public string ConnectionString { get; }

    public int Count => _silos.Length;

    /// <summary>The silo i while it runs.</summary>
    public SiloProcess this[int i] => _silos[i] ?? throw new InvalidOperationException($"Silo {i} is not running.");

    public bool IsUp(int i) => _silos[i] is not null;

    public IEnumerable<int> Up => Enumerable.Range(0, Count).Where(IsUp);

    /// <summary>
    /// Starts <paramref name="count"/> silos over a new database: the first alone (it files the city and prints the
    /// administrator's password), then the others together; returns once every one serves and membership shows them all active.
    /// </summary>
    public static async Task<LoopbackCluster> StartAsync(string name, int count, params string[] extraArguments)
    {
        var database = $"cluster_{name.ToLowerInvariant()}_{Environment.ProcessId}";
        await using (var server = new NpgsqlConnection(TestPostgres.Server))
        {
            await server.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", server).ExecuteNonQueryAsync();
            await new NpgsqlCommand($"CREATE DATABASE \"{database}\"", server).ExecuteNonQueryAsync();
        }
        var connection = new NpgsqlConnectionStringBuilder(TestPostgres.Server) { Database = database }.ConnectionString;
        var folder = Directory.CreateTempSubdirectory("cityops-cluster-tests-").FullName;
        var cluster = new LoopbackCluster(database, connection, folder, count, extraArguments);
        try
        {
            await cluster.StartSiloAsync(0);
            await Task.WhenAll(Enumerable.Range(1, count - 1).Select(cluster.StartSiloAsync));
            await cluster.WaitForActiveAsync(count, TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts silo i (again) on its own ports and data folder, and returns once it serves.</summary>
    public async Task StartSiloAsync(int i)
    {
        if (_silos[i] is not null)
        {
            throw new InvalidOperationException($"Silo {i} is already running.");
        }
        var (silo, gateway, http) = _ports[i];
        var data = Path.Combine(_folder, $"silo-{i}");
        string[] arguments =
        [
            "--storage", "postgres", "--connection", ConnectionString, "--cluster", ClusterId,
            "--silo-port", $"{silo}", "--gateway-port", $"{gateway}", "--advertise", "127.0.0.1",
            // After the harness's own --urls (port 0): the last value of an option wins.
            "--urls", $"http://127.0.0.1:{http}",
            .. _extraArguments,
        ];
        _silos[i] = await SiloProcess.StartAsync(data, arguments, StartTimeout, _database);
    }

    /// <summary>SIGKILL: the silo dies at once, nothing flushed, its membership entry left for the others to declare dead. Returns all it printed.</summary>
    public async Task<(string Said, long KilledAt)> KillAsync(int i)
    {
        var silo = this[i];
        _silos[i] = null;
        var killedAt = await silo.KillAsync();
        await silo.DisposeAsync();
        return (silo.Output(lines: null), killedAt);
    }

    /// <summary>SIGTERM: the silo leaves the cluster, saving its write-behind state on the way out.</summary>
    public async Task StopAsync(int i)
    {
        var silo = this[i];
        _silos[i] = null;
        await silo.StopAsync();
        await silo.DisposeAsync();
    }

    /// <summary>The cluster as a running silo's /api/admin/cluster sees it.</summary>
    public async Task<ClusterApi.ClusterView> ViewAsync(int from, CancellationToken cancellationToken = default) =>
        (await this[from].Http.GetFromJsonAsync<ClusterApi.ClusterView>("/api/admin/cluster", SiloProcess.Json, cancellationToken))!;

    /// <summary>Waits until every running silo's view of the cluster shows exactly <paramref name="active"/> active silos.</summary>
    public async Task<ClusterApi.ClusterView> WaitForActiveAsync(int active, TimeSpan timeout)
    {
        var last = "no answer yet";
        var agreed = await Eventually.ValueAsync(async () =>
            {
                ClusterApi.ClusterView? view = null;
                foreach (var i in Up.ToList())
                {
                    try
                    {
                        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        view = await ViewAsync(i, cancel.Token);
                        var count = view.Silos.Count(s => s.Status == "Active");
                        last = $"silo {i} sees {count} active: {string.Join(", ", view.Silos.Select(s => $"{s.Address} {s.Status}"))}";
                        if (count != active)
                        {
                            return null;
                        }
                    }
                    catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
                    {
                        last = $"silo {i} did not answer: {exception.Message}";
                        return null;
                    }
                }
                return view;
            },
            view => view is not null, timeout, _ => $"every running silo sees {active} active silos; last: {last}", TimeSpan.FromMilliseconds(100));
        return agreed!;
    }

    /// <summary>Waits until silo <paramref name="from"/>'s view of the cluster meets <paramref name="condition"/>.</summary>
    public Task<ClusterApi.ClusterView> WaitForViewAsync(int from, Func<ClusterApi.ClusterView, bool> condition, TimeSpan timeout) =>
        Eventually.ValueAsync(() => ViewAsync(from), condition, timeout,
            view => $"silo {from}'s view of the cluster meets the condition; last: "
                + string.Join("; ", view.Silos.Select(s => $"{s.Address} {s.Status} {string.Join(", ", s.Activations.Select(a => $"{a.Key} {a.Value}"))}")),
            TimeSpan.FromMilliseconds(200));

    /// <summary>What silo i printed last, for a failure's message.</summary>
    public string OutputOf(int i) => _silos[i]?.Output() ?? $"(silo {i} is not running)";

    /// <summary>All silo i printed, for a failure's evidence kept in a file.</summary>
    public string FullOutputOf(int i) => _silos[i]?.Output(lines: null) ?? $"(silo {i} is not running)";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _silos.Length; i++)
        {
            if (_silos[i] is { } silo)
            {
                _silos[i] = null;
                await silo.DisposeAsync();
            }
        }
        try
        {
            await using var server = new NpgsqlConnection(TestPostgres.Server);
            await server.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", server).ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The server is the test command's: it is dropped with it.
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
