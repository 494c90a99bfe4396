using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Simulation;
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
        var grains = running.Services.GetRequiredService<IClusterClient>();

        // Waits on the simulator's own count of applied readings, not on a clock.
        await running.Services.GetRequiredService<CitySimulator>().WhenReadingsAppliedAsync(1_000).WaitAsync(TimeSpan.FromSeconds(60));

        var city = running.Services.GetRequiredService<CityRegistry>();
        var snapshots = await Task.WhenAll(city.City.Sensors.Select(s => grains.GetGrain<ISensorGrain>(s.SensorId).GetSnapshot()));
        var live = snapshots.Count(s => s?.Value is not null);
        Assert.True(live >= 500, $"only {live} of {snapshots.Length} sensors have a reading");
        Assert.All(snapshots.Where(s => s?.Value is not null), s => Assert.InRange(s!.Value!.Value, -3000, 3000));
    }
}
