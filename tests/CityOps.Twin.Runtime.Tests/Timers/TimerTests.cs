using CityOps.Twin.Runtime.Tests.Support;
using CityOps.Twin.Runtime.Tests.TestGrains;

namespace CityOps.Twin.Runtime.Tests.Timers;

public sealed class TimerTests
{
    [Fact]
    public async Task A_tick_that_runs_long_is_not_overlapped_by_the_next_and_the_next_comes_a_period_after_it_ends()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain<ITimerGrain>("reducer");
        await grain.Start(TimeSpan.FromSeconds(1));

        silo.Time.Advance(TimeSpan.FromSeconds(1));
        await silo.Probe.WaitFor("tick-started");
        silo.Time.Advance(TimeSpan.FromSeconds(10));

        silo.Probe.Open("tick-1");
        // A call is a turn too: it runs only once the tick has ended.
        Assert.Equal(1, await grain.MaxConcurrentTicks());
        Assert.Equal(1, silo.Probe.Count("tick-started"));

        silo.Time.Advance(TimeSpan.FromSeconds(1));
        await silo.Probe.WaitFor("tick-started", 2);
        silo.Probe.Open("tick-2");
        Assert.Equal(1, await grain.MaxConcurrentTicks());
    }

    [Fact]
    public async Task A_disposed_timer_ticks_no_more()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain<ITimerGrain>("stopped");
        await grain.Start(TimeSpan.FromSeconds(1));
        silo.Probe.Open("tick-1");
        silo.Time.Advance(TimeSpan.FromSeconds(1));
        await silo.Probe.WaitFor("tick-ended");

        await grain.Stop();
        silo.Probe.Open("tick-2");
        silo.Time.Advance(TimeSpan.FromSeconds(5));
        // A tick queued by the advance would run before this call and be counted.
        await grain.MaxConcurrentTicks();

        Assert.Equal(1, silo.Probe.Count("tick-started"));
    }
}
