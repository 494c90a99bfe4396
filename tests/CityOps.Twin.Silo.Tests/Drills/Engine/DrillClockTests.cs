using System.Diagnostics;
using CityOps.Twin.Silo.Drills.Engine;
using Orleans;
using Xunit.Abstractions;

namespace CityOps.Twin.Silo.Tests.Drills.Engine;

/// <summary>The drill clock moves one due moment at a time and lets the drill silo settle in between.</summary>
public sealed class DrillClockTests(ITestOutputHelper output) : IAsyncLifetime
{
    private DrillSiloHost _drill = null!;

    public async Task InitializeAsync() => _drill = await TestSilos.StartDrillAsync();

    public async Task DisposeAsync() => await _drill.DisposeAsync();

    [Fact]
    public async Task A_day_of_drill_time_fires_a_ten_minute_timer_144_times_and_a_one_minute_reminder_1440_times_in_time_order_within_seconds()
    {
        var start = _drill.Clock.GetUtcNow();
        var timer = _drill.GrainFactory.GetGrain<ITickingGrain>("WL-00200");
        var reminder = _drill.GrainFactory.GetGrain<IRemindedGrain>("CASE-1");
        await timer.Start(TimeSpan.FromMinutes(10));
        await reminder.Start(TimeSpan.FromMinutes(1));

        var real = Stopwatch.StartNew();
        await _drill.Driver.AdvanceToAsync(start + TimeSpan.FromHours(24));
        real.Stop();
        output.WriteLine($"24 h of drill time in {real.Elapsed.TotalSeconds:0.00} s of real time");

        Assert.Equal(Enumerable.Range(1, 144).Select(i => start + TimeSpan.FromMinutes(10 * i)), await timer.Ticks());
        Assert.Equal(Enumerable.Range(1, 1440).Select(i => start + TimeSpan.FromMinutes(i)), await reminder.Ticks());
        Assert.Equal(start + TimeSpan.FromHours(24), _drill.Clock.GetUtcNow());
        Assert.True(real.Elapsed < TimeSpan.FromSeconds(60), $"24 h of drill time took {real.Elapsed} of real time");
    }

    [Fact]
    public async Task A_chain_a_timer_tick_starts_is_complete_before_the_clock_moves_on()
    {
        var start = _drill.Clock.GetUtcNow();
        await _drill.GrainFactory.GetGrain<IChainHeadGrain>("G-188").Start(TimeSpan.FromMinutes(10));
        var end = _drill.GrainFactory.GetGrain<IChainEndGrain>("G-188");

        for (var step = 1; step <= 12; step++)
        {
            var tick = start + TimeSpan.FromMinutes(10 * step);
            await _drill.Driver.AdvanceToAsync(tick);
            // The tick's work (a call not awaited, then a one-way call) ran at the tick's own drill time, all of it.
            Assert.Equal(Enumerable.Range(1, step).Select(i => start + TimeSpan.FromMinutes(10 * i)).Select(t => new ChainRecord(t, t)), await end.Records());
        }
    }

    [Fact]
    public async Task A_paced_run_at_600x_moves_about_600_seconds_of_drill_time_per_real_second()
    {
        var start = _drill.Clock.GetUtcNow();
        await _drill.GrainFactory.GetGrain<ITickingGrain>("pace").Start(TimeSpan.FromMinutes(1));
        var run = _drill.Driver.RunAsync(start + TimeSpan.FromHours(1), speed: 600);

        await _drill.Driver.WhenReachedAsync(start + TimeSpan.FromMinutes(5));
        var real = Stopwatch.StartNew();
        var from = _drill.Clock.GetUtcNow();
        await _drill.Driver.WhenReachedAsync(start + TimeSpan.FromMinutes(35));
        var pace = (_drill.Clock.GetUtcNow() - from).TotalSeconds / real.Elapsed.TotalSeconds;
        await run;
        output.WriteLine($"paced at {pace:0} drill seconds per real second");

        // Never ahead of the pace; behind it by no more than a loaded machine's scheduling.
        Assert.InRange(pace, 450, 660);
        Assert.Equal(60, (await _drill.GrainFactory.GetGrain<ITickingGrain>("pace").Ticks()).Count);
    }

    [Fact]
    public async Task A_turn_that_never_ends_makes_the_wait_time_out_naming_it()
    {
        await using var drill = await TestSilos.StartDrillAsync("stuck", quiescenceTimeout: TimeSpan.FromSeconds(1));
        var call = drill.GrainFactory.GetGrain<IStuckGrain>("stuck").Wait();

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => drill.Driver.AdvanceToAsync(drill.Clock.GetUtcNow() + TimeSpan.FromMinutes(1)));

        Assert.Contains("IStuckGrain.Wait", timeout.Message);
        StuckGrain.Release.TrySetResult();
        await call;
        await drill.Driver.WhenQuiescentAsync();
    }
}
