using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Silo.Tests.Support;

/// <summary>
/// A collector's OTLP/HTTP receiver on a loopback port, as small as the tests need: it accepts POST /v1/traces and
/// /v1/metrics with application/x-protobuf (anything else is refused 415, as a collector would), answers 200, and
/// keeps each body by path.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<byte[]>> _bodies = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The receiver's root, e.g. http://127.0.0.1:41234/ (what Telemetry:OtlpEndpoint names).</summary>
    public string Address { get; private set; } = "";

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var receiver = new OtlpReceiver(builder.Build());
        foreach (var signal in new[] { "/v1/traces", "/v1/metrics" })
        {
            receiver._app.MapPost(signal, receiver.ReceiveAsync);
        }
        await receiver._app.StartAsync();
        receiver.Address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/";
        return receiver;
    }

    /// <summary>Every body received on a path so far.</summary>
    public IReadOnlyList<byte[]> Received(string path) => _bodies.TryGetValue(path, out var bodies) ? [.. bodies] : [];

    /// <summary>Waits until what was received on <paramref name="path"/> satisfies <paramref name="condition"/>.</summary>
    public async Task<T> WaitForAsync<T>(string path, Func<IReadOnlyList<byte[]>, T?> condition, TimeSpan timeout) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (condition(Received(path)) is { } found)
            {
                return found;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException($"The collector did not receive what was awaited on {path} within {timeout.TotalSeconds:0} s ({Received(path).Count} exports arrived).");
            }
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        if (context.Request.ContentType != "application/x-protobuf")
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        _bodies.GetOrAdd(context.Request.Path.Value!, _ => new()).Enqueue(body.ToArray());
        _arrived.Release();
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
