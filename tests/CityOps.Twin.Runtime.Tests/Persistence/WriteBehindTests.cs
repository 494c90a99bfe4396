using CityOps.Twin.Runtime.Tests.Support;
using CityOps.Twin.Runtime.Tests.TestGrains;
using CityOps.Twin.Runtime.Timers;

namespace CityOps.Twin.Runtime.Tests.Persistence;

public sealed class WriteBehindTests
{
    private static async Task<(TestSilo Silo, RecordingStorage Storage)> StartAsync()
    {
        var probe = new TestProbe();
        var storage = new RecordingStorage(probe);
        var silo = await TestSilo.StartAsync(
            b => b.UseStorage(storage, new MemoryReminderTable()).Configure(o => o.WriteBehindWindow = TimeSpan.FromSeconds(2)),
            probe: probe);
        return (silo, storage);
    }

    [Fact]
    public async Task Many_writes_in_a_window_are_saved_once_with_the_latest_state()
    {
        var (silo, storage) = await StartAsync();
        await using var _ = silo;
        var sensor = silo.Grain<IHotGrain>("water-level-17");

        for (var i = 1; i <= 500; i++)
        {
            await sensor.Set(i);
        }
        Assert.Equal(0, storage.BatchedWrites);

        silo.Time.Advance(TimeSpan.FromSeconds(2));
        await silo.Probe.WaitFor("batch-written");

        Assert.Equal(1, storage.BatchedWrites);
        Assert.Equal(0, storage.SingleWrites);
        var stored = await storage.ReadAsync(new GrainStateKey("hot", "water-level-17", "latest"));
        Assert.Equal(1, stored!.Version);
        Assert.Contains("\"Value\":500", stored.Payload);
    }

    [Fact]
    public async Task A_state_with_a_window_of_its_own_is_saved_at_its_window_and_the_others_at_the_runtimes()
    {
        var (silo, storage) = await StartAsync();
        await using var _ = silo;
        var gauge = silo.Grain<IGaugeGrain>("rain-gauge-3");
        await gauge.Set(4);
        await gauge.Set(5);

        silo.Time.Advance(TimeSpan.FromSeconds(2));
        await silo.Probe.WaitFor("batch-written");
        Assert.Contains("\"Value\":5", (await storage.ReadAsync(new GrainStateKey("gauge", "rain-gauge-3", "latest")))!.Payload);
        Assert.Null(await storage.ReadAsync(new GrainStateKey("gauge", "rain-gauge-3", "history")));

        silo.Time.Advance(TimeSpan.FromSeconds(8));
        await silo.Probe.WaitFor("batch-written", 2);
        Assert.Contains("\"Value\":9", (await storage.ReadAsync(new GrainStateKey("gauge", "rain-gauge-3", "history")))!.Payload);
    }

    [Fact]
    public async Task Stopping_the_silo_saves_the_states_of_every_window()
    {
        var (silo, storage) = await StartAsync();
        await silo.Grain<IGaugeGrain>("rain-gauge-4").Set(7);

        await silo.DisposeAsync();

        Assert.Contains("\"Value\":7", (await storage.ReadAsync(new GrainStateKey("gauge", "rain-gauge-4", "latest")))!.Payload);
        Assert.Contains("\"Value\":7", (await storage.ReadAsync(new GrainStateKey("gauge", "rain-gauge-4", "history")))!.Payload);
    }

    [Fact]
    public async Task Writes_of_many_grains_go_to_the_store_in_one_batch()
    {
        var (silo, storage) = await StartAsync();
        await using var _ = silo;

        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => silo.Grain<IHotGrain>($"sensor-{i}").Set(i)));
        silo.Time.Advance(TimeSpan.FromSeconds(2));
        await silo.Probe.WaitFor("batch-written");

        Assert.Equal(300, storage.BatchedWrites);
        Assert.Equal(1, silo.Probe.Count("batch-written"));
    }

    [Fact]
    public async Task Deactivation_saves_a_write_the_window_has_not_yet_flushed()
    {
        var (silo, storage) = await StartAsync();
        await using var _ = silo;
        await silo.Grain<IHotGrain>("tide-wusong").Set(42);

        await silo.Runtime.Catalog.All.Single().DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "test"));

        Assert.Equal(1, storage.SingleWrites);
        Assert.Contains("\"Value\":42", (await storage.ReadAsync(new GrainStateKey("hot", "tide-wusong", "latest")))!.Payload);
        Assert.Equal(42, await silo.Grain<IHotGrain>("tide-wusong").Get());
    }

    [Fact]
    public async Task A_change_the_store_refused_is_kept_and_saved_in_a_later_window()
    {
        var (silo, storage) = await StartAsync();
        await using var _ = silo;
        await silo.Grain<IHotGrain>("rain-gauge").Set(7);
        storage.Unavailable = true;

        silo.Time.Advance(TimeSpan.FromSeconds(2));
        await silo.Probe.WaitFor("write-refused");
        storage.Unavailable = false;
        // Waits for the refused cycle to finish, then runs the next one.
        await silo.Runtime.FlushWriteBehindAsync();

        Assert.Contains("\"Value\":7", (await storage.ReadAsync(new GrainStateKey("hot", "rain-gauge", "latest")))!.Payload);
    }

    [Fact]
    public async Task A_change_the_store_refused_is_saved_when_its_grain_deactivates()
    {
        var (silo, storage) = await StartAsync();
        await using var _ = silo;
        await silo.Grain<IHotGrain>("gas-detector").Set(3);
        storage.Unavailable = true;
        silo.Time.Advance(TimeSpan.FromSeconds(2));
        await silo.Probe.WaitFor("write-refused");
        storage.Unavailable = false;

        await silo.Runtime.StopAsync();

        Assert.Contains("\"Value\":3", (await storage.ReadAsync(new GrainStateKey("hot", "gas-detector", "latest")))!.Payload);
    }

    [Fact]
    public async Task Stopping_the_silo_saves_every_pending_write_behind_state()
    {
        var probe = new TestProbe();
        var storage = new RecordingStorage(probe);
        var silo = await TestSilo.StartAsync(b => b.UseStorage(storage, new MemoryReminderTable()), probe: probe);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => silo.Grain<IHotGrain>($"s{i}").Set(i + 1000)));

        await silo.DisposeAsync();

        for (var i = 0; i < 50; i++)
        {
            Assert.Contains($"\"Value\":{i + 1000}", (await storage.ReadAsync(new GrainStateKey("hot", $"s{i}", "latest")))!.Payload);
        }
    }
}
