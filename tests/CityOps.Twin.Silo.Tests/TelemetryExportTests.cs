using System.Net;
using System.Text;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace CityOps.Twin.Silo.Tests;

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryExportTests
{
    [Fact]
    public async Task With_an_OTLP_endpoint_configured_the_runtime_metrics_reach_the_collector()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var silo = new SiloFactory(
            ("data", SiloFactory.NewDataFolder()),
            ("storage", "memory"),
            ("Telemetry:OtlpEndpoint", collector.Address),
            ("Telemetry:ExportIntervalMilliseconds", "60000"),
            // Prometheus is pulled: its reader has nothing to flush, and would make the flush answer false.
            ("Telemetry:Prometheus:Enabled", "false"));
        await silo.CreateClient().GetAsync("/healthz");
        await silo.Services.GetRequiredService<IClusterClient>().GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode();

        Assert.True(silo.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));

        var metrics = await collector.WaitForAsync("/v1/metrics", bodies => bodies.Count > 0 ? Encoding.Latin1.GetString(bodies[0]) : null, TimeSpan.FromSeconds(10));
        // Orleans' instruments of grain calls (caller-side latency of application requests) and of activations.
        Assert.Contains("orleans-app-requests-latency", metrics);
        Assert.Contains("orleans-catalog-activations", metrics);
    }

    [Fact]
    public async Task An_ingest_request_reaches_the_collector_as_one_trace_with_the_grain_calls_it_made_inside_it()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("Telemetry:OtlpEndpoint", collector.Address));
        await silo.WhenCityFiledAsync();
        using var gateway = await silo.KeyClientAsync(["WL-00321"]);

        var at = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O");
        var response = await gateway.PostAsync("/api/ingest/readings",
            new StringContent($$"""{"readings":[{"sensorId":"WL-00321","measuredAt":"{{at}}","value":2.5}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Spans are exported in batches every few seconds; the request's own ends once its answer is sent.
        var trace = await collector.WaitForAsync("/v1/traces", bodies =>
        {
            var spans = bodies.SelectMany(OtlpSpans.Read).ToList();
            var request = spans.FirstOrDefault(s => s.Kind == OtlpSpan.Server && s.Name.Contains("api/ingest/readings", StringComparison.Ordinal));
            var inTrace = request is null ? [] : spans.Where(s => s.TraceId == request.TraceId).ToList();
            return inTrace.Any(s => s.Kind == OtlpSpan.Server && s.Name.Contains("RecordMany", StringComparison.Ordinal)) ? new Trace(request!, inTrace) : null;
        }, TimeSpan.FromSeconds(60));

        Assert.Equal("POST", trace.Request.Name.Split(' ')[0]);
        // The endpoint's call to the sensor (client side), under the request; the sensor's turn (server side), under that call.
        var call = Assert.Single(trace.Spans, s => s.Kind == OtlpSpan.Client && s.Name.Contains("RecordMany", StringComparison.Ordinal));
        Assert.Equal(trace.Request.SpanId, call.ParentSpanId);
        Assert.StartsWith("Microsoft.Orleans", call.Scope);
        var turn = Assert.Single(trace.Spans, s => s.Kind == OtlpSpan.Server && s.Name.Contains("RecordMany", StringComparison.Ordinal));
        Assert.Equal(call.SpanId, turn.ParentSpanId);
        Assert.Equal(32, trace.Request.TraceId.Length);

        // Filing the city and the feed's start made tens of thousands of grain calls before the request: none of
        // them started a trace, so nothing but requests and their work reached the collector.
        var exported = collector.Received("/v1/traces").SelectMany(OtlpSpans.Read).ToList();
        var requests = exported.Where(s => s.Kind == OtlpSpan.Server && s.Scope == "Microsoft.AspNetCore").Select(s => s.TraceId).ToHashSet();
        Assert.All(exported, span => Assert.Contains(span.TraceId, requests));
    }

    [Fact]
    public async Task Over_PostgreSQL_the_database_commands_a_sign_in_makes_are_in_its_trace()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "postgres"),
            ("connection", CityOps.Twin.Tests.Shared.TestPostgres.ConnectionString), ("Telemetry:OtlpEndpoint", collector.Address));

        // Signing in reads the user and writes its audit line to the database, in the request's own flow.
        using var client = await silo.SignedInClientAsync(TwinRole.Operator);

        var trace = await collector.WaitForAsync("/v1/traces", bodies =>
        {
            var spans = bodies.SelectMany(OtlpSpans.Read).ToList();
            var request = spans.FirstOrDefault(s => s.Kind == OtlpSpan.Server && s.Name.Contains("api/account/signin", StringComparison.Ordinal));
            var inTrace = request is null ? [] : spans.Where(s => s.TraceId == request.TraceId).ToList();
            return inTrace.Any(s => s.Scope == "Npgsql") ? new Trace(request!, inTrace) : null;
        }, TimeSpan.FromSeconds(60));

        var commands = trace.Spans.Where(s => s.Scope == "Npgsql").ToList();
        Assert.All(commands, command => Assert.Equal(OtlpSpan.Client, command.Kind));
        Assert.All(commands, command => Assert.Contains(trace.Request.SpanId, Ancestors(trace.Spans, command)));
        await silo.WhenCityFiledAsync();
    }

    [Fact]
    public async Task An_OTLP_endpoint_that_is_not_an_http_address_stops_the_silo_with_a_clear_error()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("Telemetry:OtlpEndpoint", "collector:4318"));

        var error = Assert.Throws<InvalidOperationException>(() => silo.CreateClient());

        Assert.Contains("Telemetry:OtlpEndpoint 'collector:4318'", error.Message);
    }

    private sealed record Trace(OtlpSpan Request, List<OtlpSpan> Spans);

    /// <summary>The ids of a span's parent, its parent's parent, and so on, as far as the exported spans go.</summary>
    private static List<string> Ancestors(List<OtlpSpan> spans, OtlpSpan span)
    {
        var byId = spans.ToDictionary(s => s.SpanId);
        var ancestors = new List<string>();
        for (var parent = span.ParentSpanId; parent.Length > 0 && !ancestors.Contains(parent); parent = byId.TryGetValue(parent, out var up) ? up.ParentSpanId : "")
        {
            ancestors.Add(parent);
        }
        return ancestors;
    }
}
