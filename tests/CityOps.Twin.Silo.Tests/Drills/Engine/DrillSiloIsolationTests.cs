using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;

namespace CityOps.Twin.Silo.Tests.Drills.Engine;

/// <summary>Drill silos run beside the live silo in one process and share nothing with it or with each other.</summary>
public sealed class DrillSiloIsolationTests
{
    [Fact]
    public async Task Two_drill_silos_and_a_live_silo_see_neither_each_others_grains_nor_each_others_clocks()
    {
        using var live = await TestSilos.StartLiveAsync();
        await using var first = await TestSilos.StartDrillAsync("first");
        await using var second = await TestSilos.StartDrillAsync("second", TestSilos.DrillStart + TimeSpan.FromDays(30));
        var liveGrains = live.Services.GetRequiredService<IGrainFactory>();

        foreach (var grains in new[] { liveGrains, first.GrainFactory, second.GrainFactory })
        {
            await grains.GetGrain<ITickingGrain>("WL-00200").Start(TimeSpan.FromMinutes(10));
        }
        await first.GrainFactory.GetGrain<ICounterGrain>("alarms").Add();
        await first.GrainFactory.GetGrain<ICounterGrain>("alarms").Add();
        await second.GrainFactory.GetGrain<ICounterGrain>("alarms").Add();
        await first.Driver.AdvanceToAsync(TestSilos.DrillStart + TimeSpan.FromHours(1));

        // Same grain ids, three grains: each silo counts its own calls and ticks.
        Assert.Equal(3, await first.GrainFactory.GetGrain<ICounterGrain>("alarms").Add());
        Assert.Equal(2, await second.GrainFactory.GetGrain<ICounterGrain>("alarms").Add());
        Assert.Equal(1, await liveGrains.GetGrain<ICounterGrain>("alarms").Add());
        Assert.Equal(6, (await first.GrainFactory.GetGrain<ITickingGrain>("WL-00200").Ticks()).Count);
        Assert.Empty(await second.GrainFactory.GetGrain<ITickingGrain>("WL-00200").Ticks());
        Assert.Empty(await liveGrains.GetGrain<ITickingGrain>("WL-00200").Ticks());

        // Each silo's grains read their own clock: the first drill moved, the second did not, the live one is real time.
        Assert.Equal(TestSilos.DrillStart + TimeSpan.FromHours(1), await first.GrainFactory.GetGrain<ITickingGrain>("WL-00200").Now());
        Assert.Equal(TestSilos.DrillStart + TimeSpan.FromDays(30), await second.GrainFactory.GetGrain<ITickingGrain>("WL-00200").Now());
        Assert.InRange(await liveGrains.GetGrain<ITickingGrain>("WL-00200").Now(), DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1));
        Assert.NotEqual(first.ServiceId, second.ServiceId);
    }

    [Fact]
    public async Task Stopping_a_drill_silo_leaves_the_live_silo_serving()
    {
        using var live = await TestSilos.StartLiveAsync();
        var liveGrains = live.Services.GetRequiredService<IGrainFactory>();
        var drill = await TestSilos.StartDrillAsync();
        await drill.GrainFactory.GetGrain<ICounterGrain>("cases").Add();
        Assert.Equal(1, await liveGrains.GetGrain<ICounterGrain>("cases").Add());

        await drill.StopAsync();
        await drill.DisposeAsync();

        Assert.Equal(2, await liveGrains.GetGrain<ICounterGrain>("cases").Add());
        await using var next = await TestSilos.StartDrillAsync("next");
        Assert.Equal(1, await next.GrainFactory.GetGrain<ICounterGrain>("cases").Add());
        Assert.Equal(3, await liveGrains.GetGrain<ICounterGrain>("cases").Add());
        await live.StopAsync();
    }
}
