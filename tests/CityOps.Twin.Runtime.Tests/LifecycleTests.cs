using CityOps.Twin.Runtime.Tests.Support;
using CityOps.Twin.Runtime.Tests.TestGrains;

namespace CityOps.Twin.Runtime.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task An_idle_activation_is_collected_after_the_configured_age_and_its_next_call_activates_it_again()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure(o =>
        {
            o.CollectionAge = TimeSpan.FromMinutes(10);
            o.CollectionQuantum = TimeSpan.FromMinutes(1);
        }));
        await silo.Grain<ILifecycleGrain>("quiet").Ping();
        await silo.Grain<ILifecycleGrain>("busy").Ping();

        for (var minute = 0; minute < 11; minute++)
        {
            await silo.Grain<ILifecycleGrain>("busy").Ping();
            silo.Time.Advance(TimeSpan.FromMinutes(1));
        }
        await silo.Probe.WaitFor("quiet:deactivated:IdleCollection");
        // OnDeactivateAsync has run; the activation leaves the catalog when its last turn ends.
        await silo.Runtime.WhenIdleAsync();

        Assert.Equal(0, silo.Probe.Count("busy:deactivated:IdleCollection"));
        Assert.Equal(1, silo.Runtime.ActivationCount);
        Assert.Equal("quiet", await silo.Grain<ILifecycleGrain>("quiet").Ping());
        Assert.Equal(2, silo.Probe.Count("quiet:activated"));
    }

    [Fact]
    public async Task An_activation_younger_than_the_age_is_kept()
    {
        await using var silo = await TestSilo.StartAsync(b => b.Configure(o => o.CollectionAge = TimeSpan.FromMinutes(10)));
        await silo.Grain<ILifecycleGrain>("young").Ping();

        silo.Time.Advance(TimeSpan.FromMinutes(9));

        Assert.Equal(1, silo.Runtime.ActivationCount);
        Assert.Equal(0, silo.Probe.Count("young:deactivated:IdleCollection"));
    }

    [Fact]
    public async Task DeactivateOnIdle_deactivates_after_the_turn_and_calls_that_follow_reach_a_new_activation_in_order()
    {
        await using var silo = await TestSilo.StartAsync();
        var grain = silo.Grain<ILifecycleGrain>("leaving");

        await grain.Leave();
        var after = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => grain.Ping()));

        await silo.Probe.WaitFor("leaving:deactivated:ApplicationRequested");
        Assert.All(after, key => Assert.Equal("leaving", key));
        Assert.Equal(2, silo.Probe.Count("leaving:activated"));
    }

    [Fact]
    public async Task Stopping_the_silo_deactivates_every_activation()
    {
        var silo = await TestSilo.StartAsync();
        for (var i = 0; i < 25; i++)
        {
            await silo.Grain<ILifecycleGrain>($"g{i}").Ping();
        }

        await silo.DisposeAsync();

        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(1, silo.Probe.Count($"g{i}:deactivated:ShuttingDown"));
        }
        Assert.Equal(0, silo.Runtime.ActivationCount);
        await Assert.ThrowsAsync<InvalidOperationException>(() => silo.Grain<ILifecycleGrain>("late").Ping());
    }

    [Fact]
    public async Task Disposing_the_runtime_while_it_stops_waits_for_the_stop_and_loses_no_hot_state()
    {
        var probe = new TestProbe();
        var storage = new RecordingStorage(probe) { BatchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var silo = await TestSilo.StartAsync(b => b.UseStorage(storage, new global::CityOps.Twin.Runtime.Timers.MemoryReminderTable()), probe: probe);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => silo.Grain<IHotGrain>($"hot-{i}").Set(i + 100)));

        var stopping = silo.Runtime.StopAsync();
        await probe.WaitFor("batch-started");
        var disposing = silo.Runtime.DisposeAsync().AsTask();

        Assert.False(disposing.IsCompleted);
        storage.BatchGate.SetResult();
        await Task.WhenAll(stopping, disposing);

        for (var i = 0; i < 20; i++)
        {
            Assert.Contains($"\"Value\":{i + 100}", (await storage.ReadAsync(new GrainStateKey("hot", $"hot-{i}", "latest")))!.Payload);
        }
    }
}
