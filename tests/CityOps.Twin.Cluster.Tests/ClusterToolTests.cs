using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Tests.Shared;

namespace CityOps.Twin.Cluster.Tests;

/// <summary>
/// tools/cluster end to end, as a newcomer would use it: `up 2` starts PostgreSQL, two silos and HAProxy in a state
/// folder of its own, the front address serves the twin from both silos, and `down --purge` leaves nothing behind.
/// </summary>
public sealed partial class ClusterToolTests(ITestOutputHelper output)
{
    // A first start over a new database files the demo city into PostgreSQL before the silo is Healthy: about 80 s
    // for two silos on a quiet machine of two cores; the rest is room for a busy one.
    private static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(8);

    // Each silo saves its state on SIGTERM (the tool allows it 2 minutes), then PostgreSQL stops.
    private static readonly TimeSpan DownTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Up_serves_two_active_silos_behind_one_front_address_and_down_purge_leaves_nothing()
    {
        var tool = Path.Combine(RepositoryRoot(), "tools", "cluster");
        // Not created here: the tool makes it, readable by the postgres user its database server runs as.
        var home = Path.Combine(Path.GetTempPath(), $"cityops-cluster-tool-{Guid.NewGuid():N}");
        var taken = new HashSet<int>();
        var front = FreePorts(1, taken);
        var environment = new Dictionary<string, string>
        {
            ["CLUSTER_HOME"] = home,
            ["CLUSTER_FRONT_PORT"] = front.ToString(),
            ["CLUSTER_HTTP_PORT"] = FreePorts(2, taken).ToString(),
            ["CLUSTER_SILO_PORT"] = FreePorts(2, taken).ToString(),
            ["CLUSTER_GATEWAY_PORT"] = FreePorts(2, taken).ToString(),
            ["CLUSTER_PG_PORT"] = FreePorts(1, taken).ToString(),
            // The test asks nothing of the simulator: its load would only slow the machine the timeouts are set for.
            ["CLUSTER_SILO_ARGS"] = "--Simulation:ReadingsPerSecond 0",
        };
        var transcript = new StringBuilder();
        int down;
        try
        {
            var up = await RunAsync(tool, ["up", "2"], environment, UpTimeout, transcript);
            Assert.True(up == 0, $"tools/cluster up 2 exited with {up}:\n{transcript}");
            var password = AdministratorLine().Match(transcript.ToString());
            Assert.True(password.Success, $"tools/cluster up over a new state folder printed no administrator's password:\n{transcript}");

            var cookies = new CookieContainer();
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{front}"),
                Timeout = TimeSpan.FromSeconds(30),
            };
            Assert.Equal("Healthy", await http.GetStringAsync("/healthz"));

            var signIn = await http.PostAsJsonAsync("/api/account/signin", new { name = "admin", password = password.Groups[1].Value });
            Assert.True(signIn.IsSuccessStatusCode, $"signing in through the front answered {(int)signIn.StatusCode}: {await signIn.Content.ReadAsStringAsync()}\n{transcript}");
            Assert.Contains(cookies.GetCookies(http.BaseAddress).Cast<Cookie>(), c => c.Name == "TWIN_SILO");

            // Both silos served /healthz before up returned; the silo answering may take a membership refresh to see the other.
            var view = await Eventually.ValueAsync(
                async () => (await http.GetFromJsonAsync<ClusterApi.ClusterView>("/api/admin/cluster"))!,
                v => v.Silos.Count(s => s.Status == "Active") == 2,
                TimeSpan.FromSeconds(30),
                v => $"/api/admin/cluster through the front lists two active silos (it listed {string.Join(", ", v.Silos.Select(s => $"{s.Address} {s.Status}"))}):\n{transcript}",
                TimeSpan.FromMilliseconds(200));
            Assert.Equal("local", view.ClusterId);

            var status = await RunAsync(tool, ["status"], environment, TimeSpan.FromMinutes(1), transcript);
            Assert.True(status == 0, $"tools/cluster status exited with {status}:\n{transcript}");
        }
        finally
        {
            // Whatever failed above, the cluster is taken down; a failure of its own shows below.
            down = await RunAsync(tool, ["down", "--purge"], environment, DownTimeout, transcript);
            output.WriteLine(transcript.ToString());
        }
        Assert.True(down == 0, $"tools/cluster down --purge exited with {down}:\n{transcript}");
        Assert.False(Directory.Exists(home), $"tools/cluster down --purge left {home}:\n{transcript}");
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, front));
    }

    /// <summary>Runs the tool, its output (both streams) appended to the transcript; on a timeout, kills it and says so.</summary>
    private static async Task<int> RunAsync(string tool, string[] arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, StringBuilder transcript)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(tool);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        lock (transcript)
        {
            transcript.AppendLine($"$ tools/cluster {string.Join(' ', arguments)}");
        }
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Append($"(tools/cluster {string.Join(' ', arguments)} did not finish within {timeout}; killed)");
            return -1;
        }
        return process.ExitCode;

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (transcript)
                {
                    transcript.AppendLine(line);
                }
            }
        }
    }

    /// <summary>The first of <paramref name="count"/> consecutive loopback ports that are free now and not yet <paramref name="taken"/>.</summary>
    private static int FreePorts(int count, HashSet<int> taken)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            var range = Enumerable.Range(port, count).ToList();
            if (port + count - 1 <= 65535 && !range.Any(taken.Contains) && range.Skip(1).All(IsFree))
            {
                taken.UnionWith(range);
                return port;
            }
        }
        throw new InvalidOperationException($"No {count} consecutive free loopback ports in 100 tries.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "CityOps.Twin.sln")) && File.Exists(Path.Combine(folder.FullName, "tools", "cluster")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No repository root (CityOps.Twin.sln with tools/cluster) above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"sign in\s+admin / (\S+)")]
    private static partial Regex AdministratorLine();
}
