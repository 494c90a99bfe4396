using CityOps.Twin.Silo.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Tests.Storage;

/// <summary>
/// The storage contract, proved through real silos on SQLite and on PostgreSQL, with Orleans' own ADO.NET grain
/// storage and with the twin's group commit over the same schema: what a grain stores survives, a stale writer is
/// refused, a clear clears, a restarted silo finds the state and the reminders, and the schema installs safely.
/// </summary>
public sealed class StorageContractTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private readonly ReminderLog _reminders = new();
    private readonly List<StorageTestHost> _hosts = [];
    private readonly List<StorageTestDatabase> _databases = [];
    private readonly string _clusterId = $"storage-{Guid.NewGuid():N}";

    public static TheoryData<StorageKind, GrainStorageEngine> Storages => new()
    {
        { StorageKind.Sqlite, GrainStorageEngine.AdoNet },
        { StorageKind.Sqlite, GrainStorageEngine.GroupCommit },
        { StorageKind.PostgreSql, GrainStorageEngine.AdoNet },
        { StorageKind.PostgreSql, GrainStorageEngine.GroupCommit },
    };

    public static TheoryData<StorageKind> Databases => new() { StorageKind.Sqlite, StorageKind.PostgreSql };

    [Theory, MemberData(nameof(Storages))]
    public async Task A_state_written_by_a_grain_reads_back_after_the_grain_is_gone(StorageKind kind, GrainStorageEngine engine)
    {
        var database = await NewDatabaseAsync(kind);
        var silo = await StartAsync(database, engine);

        await silo.Grains.GetGrain<ITallyGrain>("WL-00200").Add(3, "first");
        await silo.Grains.GetGrain<ITallyGrain>("WL-00200").Add(4, "second");
        await silo.StopAsync();

        Assert.Equal((7, 2), await database.ReadStoredAsync(TallyGrain.StateName, "WL-00200"));
        var restarted = await StartAsync(database, engine);
        var state = await restarted.Grains.GetGrain<ITallyGrain>("WL-00200").Read();
        Assert.Equal((7, "second"), (state.Count, state.Note));
    }

    [Theory, MemberData(nameof(Storages))]
    public async Task A_writer_holding_an_old_version_is_refused_and_overwrites_nothing(StorageKind kind, GrainStorageEngine engine)
    {
        var database = await NewDatabaseAsync(kind);
        var silo = await StartAsync(database, engine);
        var grain = GrainId.Create("tally", "case-310115-0001");
        var first = new GrainState<TallyState>(new TallyState());
        var second = new GrainState<TallyState>(new TallyState());
        await silo.Storage.ReadStateAsync(TallyGrain.StateName, grain, first);
        await silo.Storage.ReadStateAsync(TallyGrain.StateName, grain, second);

        first.State!.Count = 1;
        await silo.Storage.WriteStateAsync(TallyGrain.StateName, grain, first);
        second.State!.Count = 99;
        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.Storage.WriteStateAsync(TallyGrain.StateName, grain, second));
        first.State!.Count = 2;
        await silo.Storage.WriteStateAsync(TallyGrain.StateName, grain, first);
        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.Storage.WriteStateAsync(TallyGrain.StateName, grain, second));

        Assert.Equal((2, 2), await database.ReadStoredAsync(TallyGrain.StateName, "case-310115-0001"));
    }

    [Theory, MemberData(nameof(Storages))]
    public async Task A_cleared_state_reads_as_new_and_its_version_moves_on(StorageKind kind, GrainStorageEngine engine)
    {
        var database = await NewDatabaseAsync(kind);
        var silo = await StartAsync(database, engine);
        var tally = silo.Grains.GetGrain<ITallyGrain>("GAS-0042");
        await tally.Add(5, "alarm");

        await tally.Clear();

        Assert.Equal(0, (await tally.Read()).Count);
        Assert.Equal((null, 2), await database.ReadStoredAsync(TallyGrain.StateName, "GAS-0042"));
        var stale = new GrainState<TallyState>(new TallyState { Count = 1 }) { ETag = "1", RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            silo.Storage.WriteStateAsync(TallyGrain.StateName, GrainId.Create("tally", "GAS-0042"), stale));
        await tally.Add(1, "after clear");
        Assert.Equal((1, 3), await database.ReadStoredAsync(TallyGrain.StateName, "GAS-0042"));
    }

    [Theory, MemberData(nameof(Storages))]
    public async Task A_second_silo_over_the_same_database_reads_what_the_first_wrote(StorageKind kind, GrainStorageEngine engine)
    {
        var database = await NewDatabaseAsync(kind);
        var first = await StartAsync(database, engine);
        await first.Grains.GetGrain<ITallyGrain>("ELV-1187").Add(11, "trapped");
        await first.StopAsync();

        var second = await StartAsync(database, engine);
        var state = await second.Grains.GetGrain<ITallyGrain>("ELV-1187").Read();

        Assert.Equal((11, "trapped"), (state.Count, state.Note));
    }

    [Theory, MemberData(nameof(Storages))]
    public async Task A_reminder_registered_before_a_restart_fires_after_it(StorageKind kind, GrainStorageEngine engine)
    {
        var database = await NewDatabaseAsync(kind);
        var first = await StartAsync(database, engine);
        await first.Grains.GetGrain<IDeadlineGrain>("case-0007").Arm(TimeSpan.FromMinutes(10));
        await first.StopAsync();

        ReminderServiceReadiness.Listen();
        var second = await StartAsync(database, engine);
        var fired = _reminders.WhenFired("case-0007");
        // The new silo reads its stored reminders in the background as it starts; once read, the deadline is due in
        // 10 minutes of fake time. A minute beyond it, so the reminder's wait is not left a fraction short.
        await ReminderServiceReadiness.WhenStartedAsync(second.SiloAddress, TimeSpan.FromSeconds(60));
        Assert.False(fired.IsCompleted, "The deadline fired before it was due.");
        _clock.Advance(TimeSpan.FromMinutes(11));

        var firedInTime = await fired.WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
        Assert.True(firedInTime, "The deadline registered before the restart did not fire after it (waited 60 s after its due time).");
        Assert.True(_clock.GetUtcNow() - new FakeTimeProvider().GetUtcNow() >= TimeSpan.FromMinutes(10), "The deadline fired before it was due.");
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task Installing_the_schema_twice_and_from_two_silos_at_once_is_harmless(StorageKind kind)
    {
        var database = await NewDatabaseAsync(kind);
        var twin = new TwinDatabase(kind, database.ConnectionString);
        await using (twin)
        {
            await Task.WhenAll(
                SchemaInstaller.InstallAsync(twin, NullLogger.Instance, CancellationToken.None),
                SchemaInstaller.InstallAsync(twin, NullLogger.Instance, CancellationToken.None));
            await SchemaInstaller.InstallAsync(twin, NullLogger.Instance, CancellationToken.None);
        }

        var silo = await StartAsync(database, GrainStorageEngine.AdoNet);
        await silo.Grains.GetGrain<ITallyGrain>("CAM-4120").Add(1, "online");
        Assert.Equal((1, 1), await database.ReadStoredAsync(TallyGrain.StateName, "CAM-4120"));
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task Either_engine_reads_and_continues_what_the_other_wrote(StorageKind kind)
    {
        var database = await NewDatabaseAsync(kind);
        var grouped = await StartAsync(database, GrainStorageEngine.GroupCommit);
        await grouped.Grains.GetGrain<ITallyGrain>("WL-00300").Add(2, "group commit");
        await grouped.StopAsync();

        var stock = await StartAsync(database, GrainStorageEngine.AdoNet);
        Assert.Equal(2, (await stock.Grains.GetGrain<ITallyGrain>("WL-00300").Read()).Count);
        await stock.Grains.GetGrain<ITallyGrain>("WL-00300").Add(3, "orleans");
        await stock.StopAsync();

        var groupedAgain = await StartAsync(database, GrainStorageEngine.GroupCommit);
        var state = await groupedAgain.Grains.GetGrain<ITallyGrain>("WL-00300").Read();
        Assert.Equal((5, "orleans"), (state.Count, state.Note));
        Assert.Equal((5, 2), await database.ReadStoredAsync(TallyGrain.StateName, "WL-00300"));
    }

    private async Task<StorageTestDatabase> NewDatabaseAsync(StorageKind kind)
    {
        var database = await StorageTestDatabase.CreateAsync(kind);
        _databases.Add(database);
        return database;
    }

    private async Task<StorageTestHost> StartAsync(StorageTestDatabase database, GrainStorageEngine engine)
    {
        var host = await StorageTestHost.StartAsync(database, engine, _clock, _reminders, _clusterId);
        _hosts.Add(host);
        return host;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}
