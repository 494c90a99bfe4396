using System.Diagnostics;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace CityOps.Twin.Tests.Shared;

/// <summary>
/// The real silo as its own process on a loopback port (the demo city, the simulator off so that all load is
/// the caller's): started, waited on until it serves, and stopped or killed with SIGKILL. Shared by the
/// benchmarks and the cluster tests; the project compiling it names the silo's build folder in an assembly
/// attribute <c>SiloDirectory</c>.
/// </summary>
internal sealed partial class SiloProcess : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _adminPassword = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The first start over a database prints the administrator's password once; later starts over it (and the other
    // silos of its cluster) sign in with what it printed. Keyed by the data folder, or by the cluster's database.
    private static readonly Dictionary<string, (string Password, string Key)> Credentials = [];

    private SiloProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, line) => Observe(line.Data);
        _process.ErrorDataReceived += (_, line) => Observe(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) =>
        {
            _address.TrySetException(new InvalidOperationException($"The silo exited with {_process.ExitCode}:\n{Output()}"));
            _adminPassword.TrySetException(new InvalidOperationException($"The silo exited with {_process.ExitCode}:\n{Output()}"));
        };
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>The silo's process id, for what it costs the machine (/proc/&lt;id&gt;, its CPU time).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Signed in as the administrator (every role), with an API key for every device: the benchmark's gateways and duty desk.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Seconds from the process start until /healthz answered healthy.</summary>
    public double SecondsToServe { get; private set; }

    /// <summary>Starts a silo over the storage the arguments name and waits until it serves.</summary>
    /// <param name="database">What the silo's database is known by, for its administrator's password: the data folder
    /// unless several silos share one database (a cluster), which then give the same name.</param>
    public static async Task<SiloProcess> StartAsync(string dataFolder, IEnumerable<string> storage, TimeSpan timeout, string? database = null)
    {
        database ??= dataFolder;
        var directory = typeof(SiloProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SiloDirectory").Value!;
        var program = Path.Combine(directory, "CityOps.Twin.Silo");
        if (!File.Exists(program))
        {
            throw new InvalidOperationException($"No silo at {program}: build the solution first (dotnet build -c Release).");
        }
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The benchmark is one client sending as fast as it can: the per-key rate limit is lifted.
        foreach (var argument in new[] { "--urls", "http://127.0.0.1:0", "--data", dataFolder, "--Simulation:ReadingsPerSecond", "0", "--Logging:LogLevel:Default", "Warning",
                     "--Security:KeyRequestsPerSecond", "1000000", "--Security:KeyBurst", "1000000" }.Concat(storage))
        {
            start.ArgumentList.Add(argument);
        }
        var started = Stopwatch.GetTimestamp();
        var silo = new SiloProcess(Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start."));
        try
        {
            silo.Address = await silo._address.Task.WaitAsync(timeout);
            using var probe = new HttpClient { BaseAddress = silo.Address, Timeout = TimeSpan.FromSeconds(5) };
            while (true)
            {
                try
                {
                    // Degraded (still filing the city) answers 200 too: serving means healthy.
                    var health = await probe.GetAsync("/healthz");
                    if (health.IsSuccessStatusCode && await health.Content.ReadAsStringAsync() == "Healthy")
                    {
                        break;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet, or too busy starting to answer within the probe's timeout.
                }
                if (Stopwatch.GetElapsedTime(started) > timeout)
                {
                    throw new TimeoutException($"The silo did not serve within {timeout}:\n{silo.Output()}");
                }
                await Task.Delay(10);
            }
            silo.SecondsToServe = Stopwatch.GetElapsedTime(started).TotalSeconds;
            await silo.SignInAsync(database, timeout);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    private async Task SignInAsync(string database, TimeSpan timeout)
    {
        Http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(100) };
        (string Password, string Key) known;
        lock (Credentials)
        {
            Credentials.TryGetValue(database, out known);
        }
        if (known.Password is null)
        {
            known = (await _adminPassword.Task.WaitAsync(timeout), "");
            lock (Credentials)
            {
                Credentials[database] = known;
            }
        }
        (await Http.PostAsJsonAsync("/api/account/signin", new { name = "admin", password = known.Password })).EnsureSuccessStatusCode();
        if (known.Key.Length == 0)
        {
            var created = await (await Http.PostAsJsonAsync("/api/admin/keys", new { name = "bench gateway", devices = new[] { "*" } })).Content.ReadFromJsonAsync<JsonElement>();
            known = (known.Password, created.GetProperty("secret").GetString()!);
            lock (Credentials)
            {
                Credentials[database] = known;
            }
        }
        Http.DefaultRequestHeaders.Add("X-Api-Key", known.Key);
    }

    public async Task<T> GetAsync<T>(string path) => (await Http.GetFromJsonAsync<T>(path, Json))!;

    /// <summary>The city's sensors and their kinds, from the GeoJSON export.</summary>
    public async Task<List<(string Id, CityOps.Twin.Contracts.Sensors.SensorKind Kind)>> SensorsAsync()
    {
        using var devices = JsonDocument.Parse(await Http.GetStringAsync("/api/geojson/devices"));
        return [.. devices.RootElement.GetProperty("features").EnumerateArray()
            .Select(f => f.GetProperty("properties"))
            .Where(p => p.GetProperty("kind").GetString() == "Sensor")
            .Select(p => (p.GetProperty("id").GetString()!, Enum.Parse<CityOps.Twin.Contracts.Sensors.SensorKind>(p.GetProperty("sensorKind").GetString()!)))];
    }

    /// <summary>
    /// SIGKILL: no shutdown hook runs, nothing is flushed. Answers when the signal was sent (a <see cref="Stopwatch"/>
    /// timestamp), the moment of the crash: the process does no more work once it lands, while the kernel's tearing it
    /// down and the end of its output, which this waits for too, took up to tenths of a second on a loaded machine.
    /// </summary>
    public async Task<long> KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        var signalled = Stopwatch.GetTimestamp();
        await _process.WaitForExitAsync();
        return signalled;
    }

    /// <summary>SIGTERM and wait: the silo saves its write-behind state on the way out.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>The last <paramref name="lines"/> lines the silo printed (all of them when null).</summary>
    public string Output(int? lines = 60)
    {
        lock (_output)
        {
            return string.Join('\n', lines is { } last ? _output.TakeLast(last) : _output);
        }
    }

    private void Observe(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
        }
        if (TwinViewAt().Match(line) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Groups[1].Value));
        }
        if (AdminPasswordLine().Match(line) is { Success: true } admin)
        {
            _adminPassword.TrySetResult(admin.Groups[1].Value);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"twin view at (http://[^/\s]+)/")]
    private static partial Regex TwinViewAt();

    [GeneratedRegex(@"first run: administrator 'admin', password (\S+)")]
    private static partial Regex AdminPasswordLine();
}
