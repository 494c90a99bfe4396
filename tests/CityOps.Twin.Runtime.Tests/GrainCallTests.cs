using CityOps.Twin.Runtime.Tests.Support;
using CityOps.Twin.Runtime.Tests.TestGrains;

namespace CityOps.Twin.Runtime.Tests;

public sealed class GrainCallTests
{
    [Fact]
    public async Task GetGrain_returns_a_reference_without_activating_the_grain()
    {
        await using var silo = await TestSilo.StartAsync();

        var reference = silo.Grain<ILifecycleGrain>("lazy");

        Assert.Equal(0, silo.Probe.Count("lazy:constructed"));
        Assert.Equal(0, silo.Runtime.ActivationCount);
        Assert.Equal("lazy", await reference.Ping());
        Assert.Equal(1, silo.Probe.Count("lazy:activated"));
    }

    [Fact]
    public async Task References_to_the_same_key_reach_the_same_activation()
    {
        await using var silo = await TestSilo.StartAsync();

        await silo.Grain<ICounterGrain>("shared").Add(2);
        await silo.Grain<ICounterGrain>("shared").Add(3);

        Assert.Equal(5, await silo.Grain<ICounterGrain>("shared").Get());
        Assert.Equal(0, await silo.Grain<ICounterGrain>("other").Get());
    }

    [Fact]
    public async Task Ten_thousand_concurrent_first_calls_make_one_activation()
    {
        await using var silo = await TestSilo.StartAsync();
        using var start = new ManualResetEventSlim();

        var callers = Enumerable.Range(0, 10_000)
            .Select(_ => Task.Run(() =>
            {
                start.Wait();
                return silo.Grain<ILifecycleGrain>("contended").Ping();
            }))
            .ToArray();
        start.Set();
        await Task.WhenAll(callers);

        Assert.Equal(1, silo.Probe.Count("contended:constructed"));
        Assert.Equal(1, silo.Probe.Count("contended:activated"));
        Assert.Equal(1, silo.Runtime.ActivationCount);
    }

    [Fact]
    public async Task Hundred_thousand_interleaved_calls_to_a_thousand_grains_arrive_complete_and_in_each_callers_order()
    {
        await using var silo = await TestSilo.StartAsync();
        const int callers = 100;
        const int callsPerCaller = 1_000;
        var expectedPerGrain = new int[1_000];

        var callerTasks = Enumerable.Range(0, callers).Select(caller =>
        {
            var random = new Random(caller);
            var targets = Enumerable.Range(0, callsPerCaller).Select(_ => random.Next(expectedPerGrain.Length)).ToArray();
            foreach (var target in targets)
            {
                Interlocked.Increment(ref expectedPerGrain[target]);
            }
            return Task.Run(async () =>
            {
                // Calls are issued without awaiting each one, so ordering is the runtime's doing, not the caller's.
                var calls = targets.Select((target, sequence) => silo.Grain<ISequenceGrain>($"g{target}").Record(caller, sequence)).ToArray();
                await Task.WhenAll(calls);
            });
        }).ToArray();
        await Task.WhenAll(callerTasks);

        for (var grain = 0; grain < expectedPerGrain.Length; grain++)
        {
            var report = await silo.Grain<ISequenceGrain>($"g{grain}").Report();
            Assert.Equal(new SequenceReport(expectedPerGrain[grain], 0, 0), report);
        }
        Assert.Equal(callers * callsPerCaller, expectedPerGrain.Sum());
        Assert.Equal(0, silo.Runtime.Instruments.MailboxDepth);
    }

    [Fact]
    public async Task An_exception_reaches_the_caller_and_the_activation_stays_usable()
    {
        await using var silo = await TestSilo.StartAsync();
        var counter = silo.Grain<ICounterGrain>("faulty");
        await counter.Add(4);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => counter.Fail("the pump broke"));

        Assert.Equal("the pump broke", error.Message);
        Assert.Equal(5, await counter.Add(1));
    }

    [Fact]
    public async Task A_grain_that_fails_to_activate_fails_the_call_and_activates_afresh_on_the_next()
    {
        await using var silo = await TestSilo.StartAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.Grain<IBrokenGrain>("b").Ping());

        Assert.Equal("the first activation fails", error.Message);
        Assert.Equal(1, await silo.Grain<IBrokenGrain>("b").Ping());
        Assert.Equal(2, silo.Probe.Count("b:activation-attempt"));
    }

    [Fact]
    public async Task A_call_queued_behind_a_stuck_turn_times_out_and_the_grain_goes_on_afterwards()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure(o => o.ResponseTimeout = TimeSpan.FromSeconds(30)));
        var counter = silo.Grain<ICounterGrain>("busy");
        await counter.Get();

        var stuck = counter.AddSlowly(10, "release-busy");
        await silo.Probe.WaitFor("busy:slow-started");
        var queued = counter.Add(1);

        silo.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(queued.IsCompleted);
        silo.Time.Advance(TimeSpan.FromSeconds(1));

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => queued);
        Assert.Contains("counter/busy", timeout.Message);
        await Assert.ThrowsAsync<TimeoutException>(() => stuck);

        silo.Probe.Open("release-busy");
        // The timed-out queued call is dropped, the stuck one finished its work: 10, not 11.
        Assert.Equal(10, await counter.Get());
    }

    [Fact]
    public async Task A_call_cycle_between_non_reentrant_grains_ends_in_a_timeout_instead_of_hanging()
    {
        await using var silo = await TestSilo.StartAsync();

        var cycle = silo.Grain<ICycleGrain>("A").CallPeer("B");
        await silo.Probe.WaitFor("callback-entered");
        Assert.False(cycle.IsCompleted);

        silo.Time.Advance(silo.Runtime.Options.ResponseTimeout);

        await Assert.ThrowsAsync<TimeoutException>(() => cycle);
        Assert.Equal("A", await silo.Grain<ICycleGrain>("A").Name());
        Assert.Equal("B", await silo.Grain<ICycleGrain>("B").Name());
        Assert.Equal(0, silo.Runtime.Instruments.MailboxDepth);
    }

    [Fact]
    public async Task GetGrain_for_an_interface_no_grain_class_implements_says_what_to_register()
    {
        await using var silo = await TestSilo.StartAsync();

        var error = Assert.Throws<ArgumentException>(() => silo.Grain<IUnimplementedGrain>("x"));

        Assert.Contains(nameof(IUnimplementedGrain), error.Message);
        Assert.Contains("AddGrains", error.Message);
    }
}

public interface IUnimplementedGrain : IGrainWithStringKey
{
    Task Nothing();
}
