using CityOps.Twin.Runtime;
using CityOps.Twin.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Grains.Tests.Support;

/// <summary>A silo with the twin's grains on a manual clock over the given storage.</summary>
public sealed class TwinSilo : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TwinSilo(ServiceProvider services, ManualTimeProvider time)
    {
        _services = services;
        Time = time;
        Runtime = services.GetRequiredService<GrainRuntime>();
    }

    public GrainRuntime Runtime { get; }

    public ManualTimeProvider Time { get; }

    public static async Task<TwinSilo> StartAsync(Action<GrainRuntimeBuilder> storage, ManualTimeProvider? time = null)
    {
        time ??= new ManualTimeProvider(new DateTimeOffset(2026, 7, 27, 0, 0, 0, TimeSpan.FromHours(8)));
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(time)
            .AddTwinCatalogues()
            .AddGrainRuntime(builder =>
            {
                builder.AddTwinGrains();
                storage(builder);
            })
            .BuildServiceProvider();
        var silo = new TwinSilo(services, time);
        await silo.Runtime.StartAsync();
        return silo;
    }

    /// <summary>Moves the clock, letting the silo settle after every timer that fires on the way.</summary>
    public Task AdvanceAsync(TimeSpan delta) => Time.AdvanceAsync(delta, Runtime.WhenIdleAsync);

    public TGrain Grain<TGrain>(string key) where TGrain : IGrainWithStringKey => Runtime.GetGrain<TGrain>(key);

    public async ValueTask DisposeAsync()
    {
        await Runtime.StopAsync();
        await _services.DisposeAsync();
    }
}
