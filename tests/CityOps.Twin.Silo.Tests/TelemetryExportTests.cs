using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CityOps.Twin.Contracts.Mode;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace CityOps.Twin.Silo.Tests;

public sealed class TelemetryExportTests
{
    [Fact]
    public async Task With_an_OTLP_endpoint_configured_the_runtime_metrics_reach_the_collector()
    {
        using var collector = new FakeOtlpCollector();
        await using var silo = new SiloFactory(
            ("data", SiloFactory.NewDataFolder()),
            ("storage", "memory"),
            ("Telemetry:OtlpEndpoint", collector.Address),
            ("Telemetry:ExportIntervalMilliseconds", "60000"));
        await silo.CreateClient().GetAsync("/healthz");
        await silo.Services.GetRequiredService<IClusterClient>().GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode();

        Assert.True(silo.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));

        var metrics = await collector.Received("/v1/metrics").WaitAsync(TimeSpan.FromSeconds(10));
        // Orleans' instruments of grain calls (caller-side latency of application requests) and of activations.
        Assert.Contains("orleans-app-requests-latency", metrics);
        Assert.Contains("orleans-catalog-activations", metrics);
    }

    [Fact]
    public async Task An_OTLP_endpoint_that_is_not_an_http_address_stops_the_silo_with_a_clear_error()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("Telemetry:OtlpEndpoint", "collector:4318"));

        var error = Assert.Throws<InvalidOperationException>(() => silo.CreateClient());

        Assert.Contains("Telemetry:OtlpEndpoint 'collector:4318'", error.Message);
    }

    /// <summary>An HTTP listener on loopback that keeps the body of each OTLP export by path.</summary>
    private sealed class FakeOtlpCollector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _received = new();

        public FakeOtlpCollector()
        {
            var port = FreePort();
            Address = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Address);
            _listener.Start();
            _ = ServeAsync();
        }

        public string Address { get; }

        public Task<string> Received(string path) => Slot(path).Task;

        private TaskCompletionSource<string> Slot(string path) => _received.GetOrAdd(path, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (!_listener.IsListening)
                {
                    return;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                Slot(context.Request.Url!.AbsolutePath).TrySetResult(Encoding.Latin1.GetString(body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose() => _listener.Close();
    }
}
