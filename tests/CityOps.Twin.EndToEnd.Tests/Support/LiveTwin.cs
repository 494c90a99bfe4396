using System.Diagnostics;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests.Support;

/// <summary>
/// The real silo as its own process (SQLite in a temp folder, the demo city, the simulator off so every alarm
/// is one a test made, a flood response proposed as soon as one flood sensor alarms, and the vital signs sampled into the
/// history every 10 s, its shortest, for the map's time slider) on a loopback port, and headless Chromium driving it. Shared by the tests of the
/// "live twin" collection; each test opens its own pages.
/// </summary>
public sealed partial class LiveTwin : IAsyncLifetime
{
    /// <summary>Filing the demo city into a fresh SQLite file and loading the view's feed takes about a minute on two cores.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), $"cityops-e2e-{Guid.NewGuid():N}");
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _feedReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _adminPassword = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, (string Password, string? State)> _users = [];
    private readonly SemaphoreSlim _signIn = new(1, 1);
    private readonly List<string> _output = [];
    private Process? _silo;
    private IPlaywright? _playwright;

    public Uri Address { get; private set; } = null!;

    /// <summary>The silo's --data folder: a test puts a drill scenario under its drills/.</summary>
    public string DataFolder => _dataFolder;

    /// <summary>Signed in as the first-run administrator (every role), with an API key for every device and Open311.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The administrator's password, as the silo printed it at its first start.</summary>
    public string AdminPassword { get; private set; } = null!;

    /// <summary>The user the pages open as unless a test names another: every role, like the first administrator.</summary>
    public const string DutyUser = "值班长";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests' screenshots go; the test command prints it.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        var siloDirectory = typeof(LiveTwin).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SiloDirectory").Value!;
        Directory.CreateDirectory(_dataFolder);
        Directory.CreateDirectory(Screenshots);
        var start = new ProcessStartInfo(Path.Combine(siloDirectory, "CityOps.Twin.Silo"))
        {
            WorkingDirectory = siloDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--urls", "http://127.0.0.1:0", "--data", _dataFolder, "--Simulation:ReadingsPerSecond", "0", "--Switchover:ProposeBelow:IV", "99.999",
                     "--History:SignsInterval", "00:00:10",
                     "--Security:KeyRequestsPerSecond", "10000", "--Security:KeyBurst", "10000" })
        {
            start.ArgumentList.Add(argument);
        }
        _silo = Process.Start(start) ?? throw new InvalidOperationException($"The silo at {start.FileName} did not start.");
        _silo.OutputDataReceived += (_, line) => Observe(line.Data);
        _silo.ErrorDataReceived += (_, line) => Observe(line.Data);
        _silo.BeginOutputReadLine();
        _silo.BeginErrorReadLine();
        _silo.EnableRaisingEvents = true;
        _silo.Exited += (_, _) =>
        {
            var failure = new InvalidOperationException($"The silo exited with {_silo.ExitCode}:\n{Output()}");
            _address.TrySetException(failure);
            _feedReady.TrySetException(failure);
        };

        try
        {
            Address = new Uri(await _address.Task.WaitAsync(StartTimeout));
            AdminPassword = await _adminPassword.Task.WaitAsync(StartTimeout);
            await _feedReady.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The silo was not ready within {StartTimeout}:\n{Output()}");
        }

        // Set up as an operations centre would on its first day: the printed administrator signs in, creates the
        // duty user and a gateway key.
        Http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = Address };
        (await Http.PostAsJsonAsync("/api/account/signin", new { name = "admin", password = AdminPassword })).EnsureSuccessStatusCode();
        var key = await (await PostAsync("/api/admin/keys", new { name = "e2e gateway", devices = new[] { "*" }, open311 = true })).Content.ReadFromJsonAsync<JsonElement>();
        Http.DefaultRequestHeaders.Add("X-Api-Key", key.GetProperty("secret").GetString());
        _users["admin"] = (AdminPassword, null);
        await UserAsync(DutyUser, "Leader", "Operator", "Commander", "DrillController", "Admin");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
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
            _address.TrySetResult(match.Groups[1].Value);
        }
        if (AdminPasswordLine().Match(line) is { Success: true } admin)
        {
            _adminPassword.TrySetResult(admin.Groups[1].Value);
        }
        if (line.Contains("Twin view feed holds", StringComparison.Ordinal))
        {
            _feedReady.TrySetResult();
        }
    }

    public string Output()
    {
        lock (_output)
        {
            return string.Join('\n', _output.TakeLast(80));
        }
    }

    /// <summary>Creates the user (once) through the administration API with these roles.</summary>
    public async Task UserAsync(string name, params string[] roles)
    {
        await _signIn.WaitAsync();
        try
        {
            if (!_users.ContainsKey(name))
            {
                var created = await (await PostAsync("/api/admin/users", new { name, roles })).Content.ReadFromJsonAsync<JsonElement>();
                _users[name] = (created.GetProperty("password").GetString()!, null);
            }
        }
        finally
        {
            _signIn.Release();
        }
    }

    /// <summary>A browser context signed in as the user through the sign-in page (once per user; later contexts reuse its cookie).</summary>
    private async Task<IBrowserContext> SignedInContextAsync(string user, BrowserNewContextOptions options)
    {
        await _signIn.WaitAsync();
        try
        {
            var (password, state) = _users[user];
            if (state is null)
            {
                await using var first = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = options.ViewportSize });
                var page = await first.NewPageAsync();
                await page.GotoAsync(new Uri(Address, "/signin").ToString());
                await page.GetByTestId("signin-name").FillAsync(user);
                await page.GetByTestId("signin-password").FillAsync(password);
                await page.GetByTestId("signin-submit").ClickAsync();
                await page.Locator(".twin-shell[data-live=true]").WaitForAsync();
                state = await first.StorageStateAsync();
                _users[user] = (password, state);
            }
            options.StorageState = state;
            return await Browser.NewContextAsync(options);
        }
        finally
        {
            _signIn.Release();
        }
    }

    /// <summary>
    /// A fresh page at 1920x1080 (the operations desk), signed in (as <see cref="DutyUser"/> unless a user is named),
    /// opened at the path and live (its Blazor circuit up).
    /// </summary>
    public async Task<IPage> OpenAsync(string path, string? language = null, int width = 1920, int height = 1080, string user = DutyUser)
    {
        var context = await SignedInContextAsync(user, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        if (language is not null)
        {
            await context.AddCookiesAsync([new Cookie { Name = "twin-lang", Value = language, Url = Address.ToString() }]);
        }
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_output)
                {
                    _output.Add($"browser console: {message.Text}");
                }
            }
        };
        await page.GotoAsync(new Uri(Address, path).ToString());
        await page.Locator(".twin-shell[data-live=true]").WaitForAsync();
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}.png") });

    public async Task<T> GetAsync<T>(string path) =>
        await Http.GetFromJsonAsync<T>(path, Json) ?? throw new InvalidOperationException($"{path} returned nothing");

    public async Task<HttpResponseMessage> PostAsync(string path, object body)
    {
        var response = await Http.PostAsJsonAsync(path, body, Json);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return response;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        Http?.Dispose();
        if (_silo is { HasExited: false })
        {
            _silo.Kill(entireProcessTree: true);
            await _silo.WaitForExitAsync();
        }
        _silo?.Dispose();
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // A file still closing; the temp folder is cleaned by the machine.
        }
    }

    [GeneratedRegex(@"twin view at (http://[^/\s]+)/")]
    private static partial Regex TwinViewAt();

    [GeneratedRegex(@"first run: administrator 'admin', password (\S+)")]
    private static partial Regex AdminPasswordLine();
}

[CollectionDefinition("live twin")]
public sealed class LiveTwinCollection : ICollectionFixture<LiveTwin>;
