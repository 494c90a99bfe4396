using CityOps.Twin.Runtime.Hosting;
using CityOps.Twin.Runtime.Tests.Support;
using CityOps.Twin.Runtime.Tests.TestGrains;

namespace CityOps.Twin.Runtime.Tests.Persistence;

/// <summary>
/// One contract, every storage: each subclass names a store, and these tests run against it unchanged. Keys
/// are fresh per test so the stores can be shared between tests.
/// </summary>
public abstract class GrainStorageContract
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    /// <summary>A storage over the store; calls with the same <paramref name="store"/> reach the same data.</summary>
    protected abstract IGrainStorage CreateStorage(string store);

    /// <summary>Configures a silo over the store; two silos with the same <paramref name="store"/> share its data.</summary>
    protected abstract void UseStore(GrainRuntimeBuilder builder, string store);

    protected abstract string NewStore();

    private GrainStateKey Key(string name) => new("contract", $"{_run}-{name}", "state");

    [Fact]
    public async Task A_missing_record_reads_as_null()
    {
        var storage = CreateStorage(NewStore());

        Assert.Null(await storage.ReadAsync(Key("missing")));
    }

    [Fact]
    public async Task A_written_state_reads_back_with_its_version()
    {
        var storage = CreateStorage(NewStore());
        var key = Key("round-trip");

        var first = await storage.WriteAsync(key, """{"value":1,"text":"井盖缺失 manhole cover missing"}""", 0);
        var second = await storage.WriteAsync(key, """{"value":2,"text":"井盖缺失 manhole cover missing"}""", first);

        Assert.Equal(1, first);
        Assert.Equal(2, second);
        Assert.Equal(new GrainStateRecord(2, """{"value":2,"text":"井盖缺失 manhole cover missing"}"""), await storage.ReadAsync(key));
    }

    [Fact]
    public async Task A_write_from_a_stale_version_is_refused_and_overwrites_nothing()
    {
        var storage = CreateStorage(NewStore());
        var key = Key("conflict");
        var version = await storage.WriteAsync(key, "\"first\"", 0);
        await storage.WriteAsync(key, "\"second\"", version);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(key, "\"stale\"", version));

        Assert.Equal(version, conflict.ExpectedVersion);
        Assert.Equal(2, conflict.StoredVersion);
        Assert.Equal(new GrainStateRecord(2, "\"second\""), await storage.ReadAsync(key));
    }

    [Fact]
    public async Task A_first_write_racing_another_first_write_is_refused()
    {
        var storage = CreateStorage(NewStore());
        var key = Key("first-race");
        await storage.WriteAsync(key, "\"winner\"", 0);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(key, "\"loser\"", 0));
        Assert.Equal("\"winner\"", (await storage.ReadAsync(key))!.Payload);
    }

    [Fact]
    public async Task Clear_removes_the_state_and_moves_the_version_on()
    {
        var storage = CreateStorage(NewStore());
        var key = Key("clear");
        var version = await storage.WriteAsync(key, "\"doomed\"", 0);

        var cleared = await storage.ClearAsync(key, version);

        Assert.Equal(version + 1, cleared);
        Assert.Equal(new GrainStateRecord(cleared, null), await storage.ReadAsync(key));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearAsync(key, version));
        Assert.Equal(cleared + 1, await storage.WriteAsync(key, "\"reborn\"", cleared));
    }

    [Fact]
    public async Task A_batch_lands_every_write_except_the_conflicting_one()
    {
        var storage = CreateStorage(NewStore());
        var stale = Key("batch-stale");
        await storage.WriteAsync(stale, "\"v1\"", 0);
        await storage.WriteAsync(stale, "\"v2\"", 1);

        var results = await storage.WriteManyAsync(
        [
            new GrainStateWrite(Key("batch-a"), "\"a\"", 0),
            new GrainStateWrite(stale, "\"stale\"", 1),
            new GrainStateWrite(Key("batch-b"), "\"b\"", 0),
        ]);

        Assert.Equal(1, results[0].NewVersion);
        Assert.IsType<InconsistentStateException>(results[1].Error);
        Assert.Equal(1, results[2].NewVersion);
        Assert.Equal("\"a\"", (await storage.ReadAsync(Key("batch-a")))!.Payload);
        Assert.Equal("\"v2\"", (await storage.ReadAsync(stale))!.Payload);
    }

    [Fact]
    public async Task Many_concurrent_writes_all_land_and_a_stale_one_among_them_fails_alone()
    {
        var storage = CreateStorage(NewStore());
        var stale = Key("group-stale");
        await storage.WriteAsync(stale, "\"v1\"", 0);
        await storage.WriteAsync(stale, "\"v2\"", 1);

        var writes = Enumerable.Range(0, 300).Select(i => storage.WriteAsync(Key($"group-{i}"), $"{i}", 0)).ToList();
        var staleWrite = storage.WriteAsync(stale, "\"stale\"", 1);
        var versions = await Task.WhenAll(writes);

        Assert.All(versions, v => Assert.Equal(1, v));
        await Assert.ThrowsAsync<InconsistentStateException>(() => staleWrite);
        for (var i = 0; i < 300; i += 37)
        {
            Assert.Equal($"{i}", (await storage.ReadAsync(Key($"group-{i}")))!.Payload);
        }
        Assert.Equal("\"v2\"", (await storage.ReadAsync(stale))!.Payload);
    }

    [Fact]
    public async Task A_grains_state_survives_its_silo_and_a_second_silo_over_the_same_store_reads_it()
    {
        var store = NewStore();
        var key = $"{_run}-survivor";
        await using (var first = await TestSilo.StartAsync(b => UseStore(b, store)))
        {
            await first.Grain<IStatefulGrain>(key).Increment("报警 alarm");
            await first.Grain<IStatefulGrain>(key).Increment("派遣 dispatch");
        }

        await using var second = await TestSilo.StartAsync(b => UseStore(b, store));
        var state = await second.Grain<IStatefulGrain>(key).Get();

        Assert.Equal(2, state.Value);
        Assert.Equal(["报警 alarm", "派遣 dispatch"], state.History);
        Assert.Equal((2L, true), await second.Grain<IStatefulGrain>(key).Version());
    }

    [Fact]
    public async Task Two_live_silos_over_one_store_cannot_overwrite_each_other()
    {
        var store = NewStore();
        var key = $"{_run}-contested";
        await using var first = await TestSilo.StartAsync(b => UseStore(b, store));
        await using var second = await TestSilo.StartAsync(b => UseStore(b, store));
        await first.Grain<IStatefulGrain>(key).Increment("first silo");
        await second.Grain<IStatefulGrain>(key).Get();
        await first.Grain<IStatefulGrain>(key).Increment("first silo again");

        await Assert.ThrowsAsync<InconsistentStateException>(() => second.Grain<IStatefulGrain>(key).Increment("second silo, stale"));
    }

    [Fact]
    public async Task A_grain_cleared_through_its_state_activates_empty_in_the_next_silo()
    {
        var store = NewStore();
        var key = $"{_run}-cleared";
        await using (var first = await TestSilo.StartAsync(b => UseStore(b, store)))
        {
            await first.Grain<IStatefulGrain>(key).Increment("to be cleared");
            await first.Grain<IStatefulGrain>(key).Clear();
            Assert.Equal((2L, false), await first.Grain<IStatefulGrain>(key).Version());
        }

        await using var second = await TestSilo.StartAsync(b => UseStore(b, store));
        Assert.Equal(0, (await second.Grain<IStatefulGrain>(key).Get()).Value);
        Assert.Equal((2L, false), await second.Grain<IStatefulGrain>(key).Version());
    }
}
