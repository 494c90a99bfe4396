using CityOps.Twin.Runtime.Hosting;
using CityOps.Twin.Runtime.Tests.TestGrains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Runtime.Tests.Support;

/// <summary>A silo with the test grains on a manual clock, started for one test.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TestSilo(ServiceProvider services, ManualTimeProvider time)
    {
        _services = services;
        Time = time;
        Runtime = services.GetRequiredService<GrainRuntime>();
        Probe = services.GetRequiredService<TestProbe>();
    }

    public GrainRuntime Runtime { get; }

    public ManualTimeProvider Time { get; }

    public TestProbe Probe { get; }

    public static async Task<TestSilo> StartAsync(Action<GrainRuntimeBuilder>? configure = null, ManualTimeProvider? time = null, TestProbe? probe = null)
    {
        time ??= new ManualTimeProvider();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<TimeProvider>(time)
            .AddSingleton(probe ?? new TestProbe())
            .AddGrainRuntime(builder =>
            {
                builder.AddGrains(typeof(CounterGrain).Assembly).AddStateSerialization(TestStateJsonContext.Default);
                configure?.Invoke(builder);
            })
            .BuildServiceProvider();
        var silo = new TestSilo(services, time);
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
