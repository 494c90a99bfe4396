using System.Diagnostics;

namespace CityOps.Twin.Bench;

/// <summary>
/// The PostgreSQL a benchmark runs against: the one named by TWIN_BENCH_POSTGRES or TWIN_TEST_POSTGRES (the test
/// command sets the latter), or else a private cluster of this machine's PostgreSQL server in a temp folder,
/// started here and stopped on dispose, as the test command does.
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly string? _bin;

    private BenchPostgres(string connectionString, string? folder, string? bin)
    {
        ConnectionString = connectionString;
        _folder = folder;
        _bin = bin;
    }

    public string ConnectionString { get; }

    public static async Task<BenchPostgres> StartAsync()
    {
        if ((Environment.GetEnvironmentVariable("TWIN_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("TWIN_TEST_POSTGRES")) is { Length: > 0 } given)
        {
            return new BenchPostgres(given, null, null);
        }

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("No PostgreSQL server here: install postgresql-15 (the test command does) or set TWIN_BENCH_POSTGRES to a connection string.");
        }
        var folder = Directory.CreateTempSubdirectory("cityops-bench-pg-").FullName;
        var root = Environment.UserName == "root";
        if (root)
        {
            await RunAsync("chown", "postgres", folder);
        }
        await RunAs(root, Path.Combine(bin, "initdb"), "-D", Path.Combine(folder, "pg"), "-A", "trust", "-U", "twin");
        var port = LoopbackPort.Free();
        await RunAs(root, Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(folder, "pg"), "-w", "-t", "60", "-l", Path.Combine(folder, "pg.log"),
            "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start");
        return new BenchPostgres($"Host=127.0.0.1;Port={port};Username=twin;Database=postgres", folder, bin);
    }

    public async ValueTask DisposeAsync()
    {
        if (_folder is null || _bin is null)
        {
            return;
        }
        await RunAs(Environment.UserName == "root", Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_folder, "pg"), "-m", "immediate", "stop");
        Directory.Delete(_folder, recursive: true);
    }

    private static Task RunAs(bool root, string program, params string[] arguments) =>
        root ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

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
}
