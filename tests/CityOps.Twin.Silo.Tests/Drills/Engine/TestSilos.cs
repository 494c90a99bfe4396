using System.Net;
using System.Net.Sockets;
using CityOps.Twin.Silo.Drills.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Hosting;
using Orleans.Serialization;

namespace CityOps.Twin.Silo.Tests.Drills.Engine;

/// <summary>The silos these tests start: drill silos holding the test grains, and a "live" silo on real time beside them.</summary>
internal static class TestSilos
{
    public static readonly DateTimeOffset DrillStart = new(2026, 7, 27, 16, 0, 0, TimeSpan.Zero);

    /// <summary>The test grains are not in an assembly Orleans finds by itself (the entry assembly is the test host).</summary>
    public static void AddTestGrains(IServiceCollection services) =>
        services.AddSerializer(serializer => serializer.AddAssembly(typeof(TickingGrain).Assembly));

    public static Task<DrillSiloHost> StartDrillAsync(string name = "drill", DateTimeOffset? start = null, TimeSpan? quiescenceTimeout = null) =>
        DrillSiloHost.StartAsync(new DrillSiloOptions
        {
            Name = name,
            Start = start ?? DrillStart,
            ConfigureServices = AddTestGrains,
            QuiescenceTimeout = quiescenceTimeout ?? TimeSpan.FromSeconds(30),
        });

    /// <summary>A silo set up the way the live twin is: real time, localhost clustering on ports of its own.</summary>
    public static async Task<IHost> StartLiveAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        AddTestGrains(builder.Services);
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        var serviceId = $"live-{Guid.NewGuid():N}";
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: serviceId, clusterId: serviceId);
            silo.AddMemoryGrainStorageAsDefault();
            silo.UseInMemoryReminderService();
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
