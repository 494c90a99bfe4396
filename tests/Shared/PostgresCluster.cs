using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CityOps.Twin.Tests.Shared;

/// <summary>
/// A PostgreSQL server of one test's own, in a temp folder on a free loopback port, that the test stops and starts
/// (the fault tests): the server the test command starts is shared and must stay up. Runs the server as the
/// postgres user when the tests run as root, as initdb requires.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _folder;
    private readonly string _bin;
    private readonly bool _root = Environment.UserName == "root";
    private readonly int _port;

    private PostgresCluster(string folder, string bin, int port)
    {
        _folder = folder;
        _bin = bin;
        _port = port;
    }

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=twin;Database=postgres;Timeout=5";

    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql: run the tests with ./test.sh, which installs postgresql-15.");
        }
        var folder = Directory.CreateTempSubdirectory("cityops-fault-pg-").FullName;
        var cluster = new PostgresCluster(folder, bin, FreePort());
        if (cluster._root)
        {
            await RunAsync("chown", "postgres", folder);
        }
        await cluster.RunServerToolAsync("initdb", "-D", cluster.DataDirectory, "-A", "trust", "-U", "twin");
        await cluster.StartServerAsync();
        return cluster;
    }

    private string DataDirectory => Path.Combine(_folder, "pg");

    /// <summary>Starts the server (again) on the same port, and returns once it accepts connections.</summary>
    public Task StartServerAsync() => RunServerToolAsync("pg_ctl", "-D", DataDirectory, "-w", "-t", "60", "-l", Path.Combine(_folder, "pg.log"),
        "-o", $"-p {_port} -k {_folder} -c listen_addresses=127.0.0.1", "start");

    /// <summary>Stops the server at once (immediate: open connections are cut, as when the database host fails).</summary>
    public Task StopServerAsync() => RunServerToolAsync("pg_ctl", "-D", DataDirectory, "-w", "-m", "immediate", "stop");

    private Task RunServerToolAsync(string tool, params string[] arguments) => _root
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
        : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopServerAsync();
        }
        catch (InvalidOperationException)
        {
            // Stopped already.
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
