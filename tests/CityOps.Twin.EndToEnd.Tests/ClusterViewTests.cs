using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.EndToEnd.Tests.Support;
using CityOps.Twin.Grains.Placement;
using CityOps.Twin.Tests.Shared;
using Microsoft.Playwright;
using Npgsql;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace CityOps.Twin.EndToEnd.Tests;

/// <summary>
/// Two silos in a cluster over a PostgreSQL database of the test's own: the map open on silo A shows an alarm that a
/// reading ingested through silo B raised in a sensor grain on B, as fast as a single silo shows its own.
/// </summary>
public sealed class ClusterViewTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"cityops-e2e-cluster-{Guid.NewGuid():N}");
    private readonly string _database = $"e2e_cluster_{Environment.ProcessId}_{DateTime.UtcNow:HHmmssfff}";
    private readonly List<SiloProcess> _silos = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        await using var server = new NpgsqlConnection(TestPostgres.Server);
        await server.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE {_database}", server).ExecuteNonQueryAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    [Fact]
    public async Task An_alarm_raised_through_silo_B_shows_on_the_map_open_on_silo_A_within_two_seconds()
    {
        // B starts first and files the city; A joins and serves the view. The sensor is one whose grid belongs to B
        // (placement by grid, the same choice the silos make), so its grain runs on B and the alarm crosses to A's view.
        var b = await StartSiloAsync("b");
        var a = await StartSiloAsync("a");
        var onA = SiloAddress.FromParsableString((await a.GetAsync<JsonElement>("/api/admin/cluster")).GetProperty("answering").GetString()!);
        var onB = SiloAddress.FromParsableString((await b.GetAsync<JsonElement>("/api/admin/cluster")).GetProperty("answering").GetString()!);
        string? sensor = null;
        foreach (var candidate in (await b.SensorsAsync()).Where(s => s.Kind == SensorKind.Waterlogging).Select(s => s.Id))
        {
            var grid = (await b.GetAsync<SensorSnapshot>($"/api/devices/{candidate}")).File.GridCode;
            if (GridPlacementDirector.Choose(grid, [onA, onB]).Equals(onB))
            {
                sensor = candidate;
                break;
            }
        }
        Assert.True(sensor is not null, "no waterlogging sensor's grid belongs to silo B");
        var page = await OpenMapAsync(a);
        var before = await b.GetAsync<SensorSnapshot>($"/api/devices/{sensor}");
        Assert.Equal(AlarmLevel.None, before.Level);

        var posted = Stopwatch.StartNew();
        var answer = await b.Http.PostAsJsonAsync("/api/ingest/readings", new
        {
            readings = new[] { new { sensorId = sensor, measuredAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), value = before.Thresholds.Red + 5 } },
        });
        Assert.True(answer.IsSuccessStatusCode, $"silo B answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        Assert.Equal(1, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        var acknowledged = Stopwatch.StartNew();

        var alarm = page.Locator($"[data-testid=alarm-list] [data-sensor-id={sensor}]");
        var shown = await Appearance.WithinAsync(page, $"[data-testid=alarm-list] [data-sensor-id={sensor}]", acknowledged, TimeSpan.FromSeconds(2), "the alarm on A's map after B acknowledged the reading");
        await Assertions.Expect(alarm).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("level-red"));
        output.WriteLine($"{sensor}'s alarm showed on A's map {shown.TotalMilliseconds:N0} ms after B acknowledged it ({(posted.Elapsed - acknowledged.Elapsed + shown).TotalMilliseconds:N0} ms after it was posted)");
        Assert.Equal(AlarmLevel.Red, (await a.GetAsync<SensorSnapshot>($"/api/devices/{sensor}")).Level);
        await LiveTwin.ScreenshotAsync(page, "cluster-map-alarm");
    }


    private async Task<SiloProcess> StartSiloAsync(string name)
    {
        var connection = new NpgsqlConnectionStringBuilder(TestPostgres.Server) { Database = _database }.ConnectionString;
        var data = Path.Combine(_folder, name);
        Directory.CreateDirectory(data);
        var silo = await SiloProcess.StartAsync(data, [
            "--storage", "postgres", "--connection", connection, "--cluster", _database,
            "--silo-port", FreePort(), "--gateway-port", FreePort()], StartTimeout, _database);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>The operations map on the silo at the desk's size, signed in through the sign-in page as a duty officer made for it.</summary>
    private async Task<IPage> OpenMapAsync(SiloProcess silo)
    {
        const string User = "值班员-集群";
        var created = await silo.Http.PostAsJsonAsync("/api/admin/users", new { name = User, roles = new[] { "Leader", "Operator" } });
        Assert.True(created.IsSuccessStatusCode, $"creating the duty officer answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        var password = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password").GetString()!;
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(silo.Address, "/signin").ToString());
        await page.GetByTestId("signin-name").FillAsync(User);
        await page.GetByTestId("signin-password").FillAsync(password);
        await page.GetByTestId("signin-submit").ClickAsync();
        await page.Locator(".twin-shell[data-live=true]").WaitForAsync();
        if (new Uri(page.Url).AbsolutePath != "/")
        {
            await page.GotoAsync(new Uri(silo.Address, "/").ToString());
            await page.Locator(".twin-shell[data-live=true]").WaitForAsync();
        }
        await Assertions.Expect(page.GetByTestId("city-map")).ToHaveAttributeAsync("data-drawn", "true");
        return page;
    }

    private static string FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
        await using (var server = new NpgsqlConnection(TestPostgres.Server))
        {
            await server.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", server).ExecuteNonQueryAsync();
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still closing; the temp folder is cleaned by the machine.
        }
    }
}
