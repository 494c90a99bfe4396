using System.Diagnostics.Metrics;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Runtime;
using CityOps.Twin.Silo.City;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

public sealed class SimulatorTests
{
    [Fact]
    public async Task The_simulator_feeds_live_readings_to_the_demo_citys_sensors()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        await using var running = silo.WithWebHostBuilder(builder => builder.UseSetting("Simulation:ReadingsPerSecond", "1000"));
        running.CreateClient();
        await running.Services.GetRequiredService<CitySeeder>().Filed.WaitAsync(TimeSpan.FromMinutes(2));
        var runtime = running.Services.GetRequiredService<GrainRuntime>();

        // Waits on the runtime's own call counter, not on a clock: the simulator's readings are grain calls.
        var calls = 0L;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == runtime.Instruments.Meter && instrument.Name == "twin.grain.calls")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            if (Interlocked.Add(ref calls, value) >= 2_000)
            {
                enough.TrySetResult();
            }
        });
        listener.Start();
        await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var city = running.Services.GetRequiredService<CityRegistry>();
        var snapshots = await Task.WhenAll(city.City.Sensors.Select(s => runtime.GetGrain<ISensorGrain>(s.SensorId).GetSnapshot()));
        var live = snapshots.Count(s => s?.Value is not null);
        Assert.True(live >= 300, $"only {live} of {snapshots.Length} sensors have a reading");
        Assert.All(snapshots.Where(s => s?.Value is not null), s => Assert.InRange(s!.Value!.Value, -3000, 3000));
    }
}
