using System.Net;
using System.Text.Json;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests.Security;

/// <summary>
/// Orleans' dashboard under /admin/orleans is the Admins': its page, static files and data endpoints answer an Admin,
/// refuse a Leader with 403, and send an anonymous request to sign in, as the view's other Admin pages do.
/// </summary>
public sealed class OrleansDashboardTests : IAsyncLifetime
{
    private readonly SiloFactory _silo = new(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));

    // The page, a static file, the data the page polls, and the log stream (never opened by an Admin here: it streams for an hour).
    private static readonly string[] Paths =
        ["/admin/orleans/", "/admin/orleans/index.min.js", "/admin/orleans/DashboardCounters", "/admin/orleans/ClusterStats", "/admin/orleans/Trace"];

    public async Task InitializeAsync()
    {
        _silo.CreateClient();
        await _silo.WhenCityFiledAsync();
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task An_Admin_gets_the_dashboard_page_its_script_and_its_data_and_the_Admin_page_links_to_it()
    {
        var admin = await _silo.SignedInClientAsync(TwinRole.Admin);

        using var page = await admin.GetAsync("/admin/orleans/");
        var html = await page.Content.ReadAsStringAsync();
        using var script = await admin.GetAsync("/admin/orleans/index.min.js");
        using var counters = await admin.GetAsync("/admin/orleans/DashboardCounters");
        using var data = JsonDocument.Parse(await counters.Content.ReadAsStringAsync());
        using var clusterStats = await admin.GetAsync("/admin/orleans/ClusterStats");
        var adminPage = WebUtility.HtmlDecode(await admin.GetStringAsync("/admin"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>Orleans Dashboard</title>", html);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        // This silo is active and holds the city's grains.
        Assert.True(data.RootElement.GetProperty("totalActiveHostCount").GetInt32() >= 1, data.RootElement.ToString());
        Assert.True(data.RootElement.GetProperty("totalActivationCount").GetInt32() > 0, data.RootElement.ToString());
        Assert.Equal(HttpStatusCode.OK, clusterStats.StatusCode);
        Assert.Contains("href=\"/admin/orleans/\"", adminPage);
    }

    [Fact]
    public async Task A_Leader_gets_403_on_every_dashboard_endpoint()
    {
        var leader = await _silo.SignedInClientAsync(TwinRole.Leader);

        foreach (var path in Paths)
        {
            using var response = await leader.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task An_anonymous_request_is_sent_to_sign_in_and_gets_nothing_of_the_dashboard()
    {
        var anonymous = _silo.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        foreach (var path in Paths.Append("/admin"))
        {
            using var response = await anonymous.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("/signin", new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath);
        }
    }

    [Fact]
    public void Without_grain_call_profiling_the_dashboard_adds_no_filter_to_grain_calls()
    {
        var profiled = new TestSiloBuilder().AddTwinDashboard(profileGrainCalls: true);
        var unprofiled = new TestSiloBuilder().AddTwinDashboard(profileGrainCalls: false);

        // The package's filter is found (so taking it out means something), and taken out; the rest of the dashboard stays.
        Assert.Single(profiled.Services, TwinDashboard.IsDashboardCallFilter);
        Assert.DoesNotContain(unprofiled.Services, TwinDashboard.IsDashboardCallFilter);
        Assert.Equal(profiled.Services.Count - 1, unprofiled.Services.Count);
    }

    private sealed class TestSiloBuilder : ISiloBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();

        public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
    }
}
