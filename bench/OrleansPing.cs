using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;

namespace CityOps.Twin.Bench;

/// <summary>The call benchmark's trivial grain on Microsoft Orleans: the engine's floor for every grain-path figure.</summary>
[Orleans.Alias("bench.ping")]
public interface IOrleansPingGrain : Orleans.IGrainWithStringKey
{
    Task<int> Ping(int value);
}

/// <summary>No state, no I/O, completes synchronously: what is measured is the engine's call path.</summary>
public sealed class OrleansPingGrain : Orleans.Grain, IOrleansPingGrain
{
    public Task<int> Ping(int value) => Task.FromResult(value + 1);
}

/// <summary>A plain Orleans silo on loopback ports of its own, with the ping grain, for the call floor.</summary>
internal sealed class OrleansPingSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private OrleansPingSilo(IHost host) => _host = host;

    public Orleans.IGrainFactory Grains => _host.Services.GetRequiredService<Orleans.IGrainFactory>();

    public static async Task<OrleansPingSilo> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: LoopbackPort.Free(), gatewayPort: LoopbackPort.Free(), serviceId: "bench", clusterId: "bench-calls"));
        var host = builder.Build();
        await host.StartAsync();
        return new OrleansPingSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
