using System.Net;
using System.Text.Json;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Silo.Hosting;
using CityOps.Twin.Silo.Tests.Storage;
using CityOps.Twin.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

/// <summary>
/// /healthz/live and /healthz/ready as an orchestrator or a load balancer reads them: ready is 503 while the city is
/// being filed and while the database is out of reach, live stays 200 meanwhile; both answer each check's status in
/// JSON; /healthz answers as it did.
/// </summary>
public sealed class HealthEndpointTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ProbeAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.Clone());
    }

    private static string Check(JsonElement body, string name) => body.GetProperty("checks").GetProperty(name).GetString()!;

    private static Task WhenReadyAsync(HttpClient client, string what) =>
        Eventually.TrueAsync(async () => (await ProbeAsync(client, "/healthz/ready")).Status == HttpStatusCode.OK, Patience, what);

    /// <summary>Holds the city's filing at its first call (whether it is filed already) until the test lets it go.</summary>
    private sealed class HoldFiling(Task gate) : IIncomingGrainCallFilter
    {
        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(ICityImportGrain.GetFingerprint))
            {
                await gate;
            }
            await context.Invoke();
        }
    }

    [Fact]
    public async Task While_the_city_is_being_filed_ready_is_503_and_live_200_then_ready_is_200_with_every_check_healthy()
    {
        var filing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"))
        {
            ConfigureServices = services => services.AddSingleton<IIncomingGrainCallFilter>(new HoldFiling(filing.Task)),
        };
        var client = silo.CreateClient();

        var (readyStatus, ready) = await ProbeAsync(client, "/healthz/ready");
        var (liveStatus, live) = await ProbeAsync(client, "/healthz/live");
        using var healthz = await client.GetAsync("/healthz");
        var healthzText = await healthz.Content.ReadAsStringAsync();

        Assert.False(silo.Services.GetRequiredService<City.CitySeeder>().Filed.IsCompleted, "the city was filed while the test held it");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        Assert.Equal("Unhealthy", ready.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", Check(ready, "city"));
        Assert.Equal(["city", "cluster", "database", "feed"], ready.GetProperty("checks").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("Healthy", live.GetProperty("status").GetString());
        Assert.Equal("Healthy", Check(live, "silo"));
        // /healthz is as it was: the silo serves while it files, and says Degraded.
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal("Degraded", healthzText);

        filing.SetResult();
        await silo.WhenCityFiledAsync();
        await WhenReadyAsync(client, "ready once the city is filed");

        (readyStatus, ready) = await ProbeAsync(client, "/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.All(new[] { "city", "cluster", "database", "feed" }, name => Assert.Equal("Healthy", Check(ready, name)));
        Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task With_the_SQLite_file_gone_ready_is_503_and_live_200_and_ready_returns_with_the_file()
    {
        var data = SiloFactory.NewDataFolder();
        await using var silo = new SiloFactory(("data", data), ("storage", "sqlite"));
        var client = silo.CreateClient();
        await silo.WhenCityFiledAsync();
        await WhenReadyAsync(client, "ready over SQLite");
        var file = Path.Combine(data, "cityops-twin.db");
        var away = file + ".away";

        // The file moved away (a data folder deleted or unmounted under the silo): the silo's open connections still
        // hold it, a new one cannot open it.
        File.Move(file, away);
        (HttpStatusCode Status, JsonElement Body) ready, live;
        try
        {
            ready = await ProbeAsync(client, "/healthz/ready");
            live = await ProbeAsync(client, "/healthz/live");
        }
        finally
        {
            File.Move(away, file);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("Unhealthy", Check(ready.Body, "database"));
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Equal("Healthy", live.Body.GetProperty("status").GetString());
        await WhenReadyAsync(client, "ready again with the SQLite file back");
    }

    [Fact]
    public async Task With_PostgreSQL_stopped_ready_is_503_and_live_200_and_ready_returns_when_it_is_back()
    {
        await using var postgres = await PostgresCluster.StartAsync();
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "postgres"), ("connection", postgres.ConnectionString));
        var client = silo.CreateClient();
        await silo.WhenCityFiledAsync();
        await WhenReadyAsync(client, "ready over PostgreSQL");

        await postgres.StopServerAsync();
        var ready = await ProbeAsync(client, "/healthz/ready");
        var live = await ProbeAsync(client, "/healthz/live");
        await postgres.StartServerAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("Unhealthy", Check(ready.Body, "database"));
        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Equal("Healthy", Check(live.Body, "silo"));
        await WhenReadyAsync(client, "ready again once PostgreSQL is back");
    }

    [Fact]
    public void The_feed_counts_as_stalled_only_while_items_are_published_and_none_delivered()
    {
        var watch = new FeedWatch();
        var at = TimeSpan.FromSeconds(100);

        Assert.Null(watch.Stalled(10, 10, at));
        // Nothing new published: no stall however long it stays quiet.
        Assert.Null(watch.Stalled(10, 10, at + TimeSpan.FromMinutes(5)));
        // Published, not delivered: stalled since the last quiet check.
        Assert.Equal(TimeSpan.FromSeconds(20), watch.Stalled(15, 10, at + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(20)));
        Assert.True(watch.Stalled(20, 10, at + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30)) > FeedWatch.StallLimit);
        // Delivered again: the feed moves.
        Assert.Null(watch.Stalled(20, 20, at + TimeSpan.FromMinutes(6)));
    }
}
