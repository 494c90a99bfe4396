using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Drills.Engine;
using CityOps.Twin.Tests.Shared;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

/// <summary>
/// One silo over SQLite serving HTTP on a real loopback socket, so that the address a scrape comes from is the one
/// its socket has: Prometheus is listed at 127.0.0.2; the tests' signed-in clients come from 127.0.0.1.
/// </summary>
public sealed class PrometheusSiloFixture : IAsyncLifetime
{
    public const string PrometheusAddress = "127.0.0.2";

    public SiloFactory Silo { get; } = new(("data", SiloFactory.NewDataFolder()), ("Telemetry:Prometheus:AllowedAddresses", PrometheusAddress));

    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Silo.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        Silo.StartServer();
        Address = new Uri(Silo.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        Silo.ClientOptions.BaseAddress = Address;
        await Silo.WhenCityFiledAsync();
        // The city's gauges report from the view's feed once it holds the city.
        await Silo.Services.GetRequiredService<CityOps.Twin.Web.Live.TwinFeed>().Ready.WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>A client whose connections leave from <paramref name="from"/> (any address of 127.0.0.0/8 is this machine's).</summary>
    public HttpClient ClientFrom(string from) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellation) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { BaseAddress = Address };

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

/// <summary>
/// The telemetry tests run alone: OpenTelemetry .NET stops exporting every meter of a name once one meter of that name
/// is disposed (open-telemetry/opentelemetry-dotnet#6412), and the other tests' silos in this process make and dispose
/// meters of the same names (ASP.NET Core's, Orleans', the twin's) as they come and go. A silo runs alone in its process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}

[Collection(TelemetryCollection.Name)]
public sealed class PrometheusScrapeTests(PrometheusSiloFixture fixture) : IClassFixture<PrometheusSiloFixture>
{
    // Each figure moves within a second or two; the rest is room for a machine loaded by other work.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Between_two_scrapes_the_readings_counter_orleans_grain_calls_the_write_behind_lag_and_the_open_alarms_and_cases_move()
    {
        using var prometheus = fixture.ClientFrom(PrometheusSiloFixture.PrometheusAddress);
        using var gateway = await fixture.Silo.KeyClientAsync(["WL-*"]);
        await IngestAsync(gateway, Enumerable.Range(100, 20).Select(n => ($"WL-{n:00000}", 3.0)));
        var first = await ScrapeUntilAsync(prometheus, scrape => Value(scrape, "twin_ingest_readings_total", "source=\"api\"") >= 20);

        // Present from the first scrape: the twin's counter, Orleans' grain calls and activations, the lag of the
        // hot sensor state saved behind (SQLite), and the city's gauges.
        Assert.Contains("# TYPE twin_ingest_readings_total counter", first);
        var readings = Value(first, "twin_ingest_readings_total", "source=\"api\"");
        var grainCalls = Value(first, "orleans_app_requests_latency_milliseconds_count");
        Assert.True(grainCalls > 0, "Orleans' grain call latency has no count");
        Assert.True(Value(first, "orleans_catalog_activations") > 0, "Orleans reports no activations");
        Assert.Contains("twin_storage_write_behind_unsaved{", first);
        Assert.Contains("twin_cases_open{", first);

        var red = Value(first, "twin_alarms_open", "level=\"red\"");
        var cases = Value(first, "twin_cases_open");
        await IngestAsync(gateway, Enumerable.Range(200, 20).Select(n => ($"WL-{n:00000}", n == 200 ? 45.0 : 4.0)));
        var second = await ScrapeUntilAsync(prometheus, scrape =>
            Value(scrape, "twin_ingest_readings_total", "source=\"api\"") >= readings + 20
            && Value(scrape, "twin_storage_write_behind_lag_seconds_count") > 0
            && Value(scrape, "twin_alarms_open", "level=\"red\"") > red
            && Value(scrape, "twin_cases_open") > cases);

        Assert.Equal(readings + 20, Value(second, "twin_ingest_readings_total", "source=\"api\""));
        Assert.True(Value(second, "orleans_app_requests_latency_milliseconds_count") > grainCalls, "Orleans' grain call count did not move between scrapes");
        // The red reading opened an alarm, and its alarm episode a case, which the city's counters carry up.
        Assert.Equal(red + 1, Value(second, "twin_alarms_open", "level=\"red\""));
        Assert.Equal(cases + 1, Value(second, "twin_cases_open"));
    }

    [Fact]
    public async Task Only_the_listed_Prometheus_address_or_a_signed_in_Admin_may_scrape()
    {
        using var anonymous = fixture.ClientFrom("127.0.0.1");
        var refused = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Telemetry:Prometheus:AllowedAddresses", await refused.Content.ReadAsStringAsync());

        using var leader = await fixture.Silo.SignedInClientAsync(TwinRole.Leader);
        var forbidden = await leader.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("needs the role Admin", await forbidden.Content.ReadAsStringAsync());

        using var admin = await fixture.Silo.SignedInClientAsync(TwinRole.Admin);
        var adminScrape = await admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, adminScrape.StatusCode);
        Assert.Contains("orleans_catalog_activations", await adminScrape.Content.ReadAsStringAsync());
        // The leader's refusal is in the audit log, as every refusal of a role is.
        Assert.Contains("GET /metrics", await admin.GetStringAsync("/api/admin/audit?count=50&action=http.forbidden"));

        using var prometheus = fixture.ClientFrom(PrometheusSiloFixture.PrometheusAddress);
        var scrape = await prometheus.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.MediaType);
        Assert.Contains("target_info{service_name=\"cityops-twin\"", await scrape.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_drill_that_ends_leaves_the_live_silos_Orleans_metrics_in_place()
    {
        using var prometheus = fixture.ClientFrom(PrometheusSiloFixture.PrometheusAddress);
        var before = Series(await prometheus.GetStringAsync("/metrics"), "orleans_");
        Assert.NotEmpty(before);

        await using (await DrillSiloHost.StartAsync(new DrillSiloOptions { Start = DateTimeOffset.UtcNow }))
        {
        }
        // A meter's end shows at the second collection after it: the first still exports it.
        var first = await ScrapeUntilAsync(prometheus, _ => true);
        var second = await ScrapeUntilAsync(prometheus, scrape => scrape != first);
        var third = await ScrapeUntilAsync(prometheus, scrape => scrape != second);

        Assert.Empty(before.Except(Series(third, "orleans_")));
        Assert.DoesNotContain("CityOps.Drill", third);
    }

    [Fact]
    public async Task A_malformed_allowed_address_stops_the_silo_with_a_clear_error()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("Telemetry:Prometheus:AllowedAddresses", "10.0.0.5, 10.1.0.0/33"));

        var error = Assert.Throws<InvalidOperationException>(() => silo.CreateClient());

        Assert.Contains("Telemetry:Prometheus:AllowedAddresses: '10.1.0.0/33' is not an IP address or a network in CIDR form", error.Message);
    }

    private static async Task IngestAsync(HttpClient gateway, IEnumerable<(string Sensor, double Value)> readings)
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O");
        var items = string.Join(",", readings.Select(r => $$"""{"sensorId":"{{r.Sensor}}","measuredAt":"{{at}}","value":{{r.Value.ToString(CultureInfo.InvariantCulture)}}}"""));
        var response = await gateway.PostAsync("/api/ingest/readings", new StringContent($$"""{"readings":[{{items}}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("\"index\"", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes as Prometheus would until a scrape shows what is awaited (the exporter caches a scrape for a moment).</summary>
    private static Task<string> ScrapeUntilAsync(HttpClient prometheus, Func<string, bool> shows) =>
        Eventually.ValueAsync(() => prometheus.GetStringAsync("/metrics"), shows, Patience,
            scrape => $"a scrape shows what is awaited; the last:\n{string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith("twin_", StringComparison.Ordinal)))}",
            TimeSpan.FromMilliseconds(100));

    /// <summary>The names of the metrics of a scrape that start with <paramref name="prefix"/>.</summary>
    private static HashSet<string> Series(string scrape, string prefix) =>
        [.. scrape.Split('\n').Where(line => line.StartsWith(prefix, StringComparison.Ordinal)).Select(line => line.Split('{', ' ')[0])];

    /// <summary>The sum of a metric's samples in a Prometheus text scrape, of those whose labels contain <paramref name="label"/>.</summary>
    private static double Value(string scrape, string metric, string? label = null) => scrape.Split('\n')
        .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
        .Where(line => label is null || line.Contains(label, StringComparison.Ordinal))
        .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
