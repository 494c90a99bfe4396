using System.Collections.Concurrent;
using CityOps.Twin.Silo.Storage;
using CityOps.Twin.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Twin.Silo.Tests.Storage;

/// <summary>
/// What the group commit promises beyond the contract: many writers share transactions yet each hears back only once
/// its write is on disk; write-behind states reach the disk within their window, and all of them at a clean stop.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _clock = new();
    private readonly ReminderLog _reminders = new();
    private readonly List<StorageTestHost> _hosts = [];
    private readonly List<StorageTestDatabase> _databases = [];

    public static TheoryData<StorageKind> Databases => new() { StorageKind.Sqlite, StorageKind.PostgreSql };

    [Theory, MemberData(nameof(Databases))]
    public async Task Two_hundred_concurrent_writers_share_transactions_and_each_is_acknowledged_only_after_its_commit(StorageKind kind)
    {
        var database = await NewDatabaseAsync(kind);
        var silo = await StartAsync(database);
        var notOnDisk = new ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var key = $"S-{i:D4}";
            await silo.Grains.GetGrain<ITallyGrain>(key).Add(i + 1, "reading");
            // Read straight from the table, on a connection of its own, the moment the write is acknowledged.
            if (await database.ReadStoredAsync(TallyGrain.StateName, key) != (i + 1, 1))
            {
                notOnDisk.Add(key);
            }
        }));

        Assert.Empty(notOnDisk);
        var (transactions, writes) = ((GroupCommitGrainStorage)silo.Storage).Commits;
        Assert.Equal(200, writes);
        Assert.True(transactions < writes, $"200 concurrent writes took {transactions} transactions: none were grouped.");
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task A_write_behind_state_is_acknowledged_at_once_and_on_disk_within_its_window(StorageKind kind)
    {
        var database = await NewDatabaseAsync(kind);
        var silo = await StartAsync(database, options => options.WriteBehind[ReadingGrain.StateName] = Window);
        var sensor = silo.Grains.GetGrain<IReadingGrain>("WL-00200");

        await sensor.Record(41);
        await sensor.Record(42);

        Assert.Equal(42, await sensor.Latest());
        Assert.Null(await database.ReadStoredAsync(ReadingGrain.StateName, "WL-00200"));
        _clock.Advance(Window);
        await Eventually.TrueAsync(async () => await database.ReadStoredAsync(ReadingGrain.StateName, "WL-00200") == (42, 2),
            TimeSpan.FromSeconds(10), "the write-behind reading saved once its window passed");
        // The queue counts a transaction just after it commits: the row can be read a moment before the count moves.
        await Eventually.TrueAsync(() => Task.FromResult(((GroupCommitGrainStorage)silo.Storage).Commits != (0, 0)),
            TimeSpan.FromSeconds(10), "the committed transaction counted");
        Assert.Equal((1, 1), ((GroupCommitGrainStorage)silo.Storage).Commits);
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task Write_behind_states_still_unsaved_are_on_disk_after_a_clean_stop(StorageKind kind)
    {
        var database = await NewDatabaseAsync(kind);
        var silo = await StartAsync(database, options => options.WriteBehind[ReadingGrain.StateName] = Window);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => silo.Grains.GetGrain<IReadingGrain>($"RG-{i}").Record(i)));
        await silo.Grains.GetGrain<IReadingGrain>("RG-7").Record(700);
        Assert.Null(await database.ReadStoredAsync(ReadingGrain.StateName, "RG-7"));

        await silo.StopAsync();

        Assert.Equal((700, 2), await database.ReadStoredAsync(ReadingGrain.StateName, "RG-7"));
        Assert.Equal((49, 1), await database.ReadStoredAsync(ReadingGrain.StateName, "RG-49"));
        var restarted = await StartAsync(database, options => options.WriteBehind[ReadingGrain.StateName] = Window);
        Assert.Equal(700, await restarted.Grains.GetGrain<IReadingGrain>("RG-7").Latest());
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task While_flushes_take_too_long_to_keep_the_window_a_write_behind_state_is_acknowledged_only_once_on_disk(StorageKind kind)
    {
        var database = await NewDatabaseAsync(kind);
        var silo = await StartAsync(database, options => options.WriteBehind[ReadingGrain.StateName] = Window);
        var storage = (GroupCommitGrainStorage)silo.Storage;
        // Operators see writes that wait for their flush (twin.storage.write_behind.waited, by state).
        long waited = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WriteBehindMeter.Name && instrument.Name == "twin.storage.write_behind.waited")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "state", Value: ReadingGrain.StateName })
                {
                    Interlocked.Add(ref waited, value);
                }
            }
        });
        listener.Start();
        await silo.Grains.GetGrain<IReadingGrain>("WL-00601").Record(1);
        Assert.Null(await database.ReadStoredAsync(ReadingGrain.StateName, "WL-00601"));

        Task recorded;
        long waitedBefore;
        // The database is slow: another writer holds the table, so the window's flush waits.
        await using (var held = await TableHold.TakeAsync(database, kind))
        {
            _clock.Advance(Window / 2);
            await Eventually.TrueAsync(() => Task.FromResult(storage.Flushing), TimeSpan.FromSeconds(10), "the window's flush started");
            // Half a window into a flush that has not committed: a state written now could not be saved within the window.
            _clock.Advance(Window / 2);
            Assert.True(storage.WritesThrough);
            waitedBefore = Interlocked.Read(ref waited);
            recorded = silo.Grains.GetGrain<IReadingGrain>("WL-00602").Record(2);
            await held.ReleaseAsync();
        }

        await recorded.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(Interlocked.Read(ref waited) > waitedBefore, "the write that waited for its flush was counted");
        // Acknowledged only once committed: read straight from the table the moment the write returns.
        Assert.Equal((2, 1), await database.ReadStoredAsync(ReadingGrain.StateName, "WL-00602"));
        Assert.Equal((1, 1), await database.ReadStoredAsync(ReadingGrain.StateName, "WL-00601"));
        // The flush that took it was quick, but one took half a window a moment ago: under a steady load the next may
        // be as slow, and a state written now would be saved half a window from now (the timer) plus half a window, past
        // the window. So writes keep waiting for their flush while a slow one is among the last five windows' flushes.
        await Eventually.TrueAsync(() => Task.FromResult(!storage.Flushing && storage.Unsaved == 0), TimeSpan.FromSeconds(10), "the flushes settled");
        _clock.Advance(Window);
        Assert.True(storage.WritesThrough);
        await silo.Grains.GetGrain<IReadingGrain>("WL-00603").Record(3).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((3, 1), await database.ReadStoredAsync(ReadingGrain.StateName, "WL-00603"));
        await Eventually.TrueAsync(() => Task.FromResult(!storage.Flushing), TimeSpan.FromSeconds(10), "the flush for the waiting write ended");
        _clock.Advance(Window * 3);
        Assert.True(storage.WritesThrough);

        // Five windows without a slow flush: writes go behind again.
        _clock.Advance(Window * 1.5);
        Assert.False(storage.WritesThrough);
        await silo.Grains.GetGrain<IReadingGrain>("WL-00604").Record(4);
        Assert.Null(await database.ReadStoredAsync(ReadingGrain.StateName, "WL-00604"));
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task A_flush_slower_than_usual_makes_no_write_wait_that_the_window_still_covers_and_the_next_flush_keeps_the_cadence(StorageKind kind)
    {
        var database = await NewDatabaseAsync(kind);
        var silo = await StartAsync(database, options => options.WriteBehind[ReadingGrain.StateName] = Window);
        var storage = (GroupCommitGrainStorage)silo.Storage;
        await silo.Grains.GetGrain<IReadingGrain>("WL-00701").Record(1);

        async Task<bool> Stored(string sensor, int value) => (await database.ReadStoredAsync(ReadingGrain.StateName, sensor))?.Count == value;

        await using (var held = await TableHold.TakeAsync(database, kind))
        {
            _clock.Advance(Window / 2);
            await Eventually.TrueAsync(() => Task.FromResult(storage.Flushing), TimeSpan.FromSeconds(10), "the window's flush started");
            // A fifth of a window into the flush: it is expected to take two fifths, the next starts half a window after
            // it began (three tenths from now) and is expected to take as long, so a state written now is expected on
            // disk seven tenths of a window from now: within the window, answered at once.
            _clock.Advance(Window / 5);
            Assert.False(storage.WritesThrough);
            await silo.Grains.GetGrain<IReadingGrain>("WL-00702").Record(2).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Null(await database.ReadStoredAsync(ReadingGrain.StateName, "WL-00702"));
            await held.ReleaseAsync();
        }

        await Eventually.TrueAsync(() => Stored("WL-00701", 1), TimeSpan.FromSeconds(10), "the slow flush saved what it took");
        await Eventually.TrueAsync(() => Task.FromResult(!storage.Flushing), TimeSpan.FromSeconds(10), "the slow flush ended");
        Assert.Null(await database.ReadStoredAsync(ReadingGrain.StateName, "WL-00702"));
        // The next flush starts half a window after the slow one took its rows, not half a window after it ended: three
        // tenths of a window from now.
        _clock.Advance(Window * 0.3);
        await Eventually.TrueAsync(() => Stored("WL-00702", 2), TimeSpan.FromSeconds(10), "the next flush, half a window after the slow one began, saved the state");
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task Write_through_states_beside_write_behind_ones_are_still_saved_before_they_are_acknowledged(StorageKind kind)
    {
        var database = await NewDatabaseAsync(kind);
        var silo = await StartAsync(database, options => options.WriteBehind[ReadingGrain.StateName] = Window);

        await silo.Grains.GetGrain<IReadingGrain>("WL-00500").Record(3);
        await silo.Grains.GetGrain<ITallyGrain>("case-0500").Add(1, "dispatched");

        Assert.Equal((1, 1), await database.ReadStoredAsync(TallyGrain.StateName, "case-0500"));
        Assert.Null(await database.ReadStoredAsync(ReadingGrain.StateName, "WL-00500"));
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task An_awaited_write_goes_before_write_behind_flushes_queued_ahead_of_it_and_a_shorter_windows_flush_before_a_longer_ones(StorageKind kind)
    {
        var database = await NewDatabaseAsync(kind);
        await (await StartAsync(database)).DisposeAsync(); // the schema and the queries; its connections closed
        await using var twinDatabase = new TwinDatabase(kind, database.ConnectionString);
        TimeSpan latest = TimeSpan.FromSeconds(1), histories = TimeSpan.FromSeconds(5);
        var queue = new GroupCommitQueue(twinDatabase, await database.QueryTextAsync("TwinGroupWriteKey"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            windows: [latest, histories]);
        await using (queue)
        {
            // Another writer holds the table while the flush and the awaited write queue up, as a busy silo's would.
            await using var held = await TableHold.TakeAsync(database, kind);

            // The sensors' histories (5 s window) are queued first, then their latest values (1 s), then an alarm.
            GrainStateWrite[] Flush(string state, int count) => Enumerable.Range(0, count)
                .Select(i => new GrainStateWrite(GrainStateRow.Of("group", state, GrainId.Create("sensor", $"WL-{i:D5}")), [1, 2, 3], null, 1))
                .ToArray();
            var historyFlush = Flush("recent", 4 * GroupCommitQueue.MaxBatch);
            var historyFlushed = historyFlush.Select(write => queue.WriteBehindAsync(write, histories)).ToArray();
            var latestFlush = Flush("live", GroupCommitQueue.MaxBatch);
            var latestFlushed = latestFlush.Select(write => queue.WriteBehindAsync(write, latest)).ToArray();
            var alarm = new GrainStateWrite(GrainStateRow.Of("group", "file", GrainId.Create("sensor", "WL-00007")), [4, 5, 6], null, 1);
            var acknowledged = queue.WriteAsync(alarm);
            await held.ReleaseAsync();

            Assert.True(await acknowledged.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.All(await Task.WhenAll([.. historyFlushed, .. latestFlushed]).WaitAsync(TimeSpan.FromSeconds(30)), Assert.True);
            // The first transaction may have taken the first histories before the rest arrived; no later one did.
            Assert.InRange(alarm.Transaction, 1, 2);
            Assert.True(latestFlush.Max(write => write.Transaction) <= 3,
                $"The latest values (due within 1 s) took transactions up to {latestFlush.Max(write => write.Transaction)}, behind the histories queued before them.");
            Assert.True(historyFlush.Max(write => write.Transaction) >= 5, $"The histories took transactions up to {historyFlush.Max(write => write.Transaction)}.");
            var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => { _ = queue.WriteBehindAsync(Flush("trend", 1)[0], TimeSpan.FromSeconds(2)); });
            Assert.Contains("no write-behind lane of 00:00:02", unknown.Message);
        }
    }

    [Fact]
    public async Task On_SQLite_the_group_commit_writes_on_a_thread_of_its_own_and_leaves_the_thread_pool_to_the_grains()
    {
        var database = await NewDatabaseAsync(StorageKind.Sqlite);
        await (await StartAsync(database)).DisposeAsync(); // the schema and the queries; its connections closed
        await using var twinDatabase = new TwinDatabase(StorageKind.Sqlite, database.ConnectionString);
        var queue = new GroupCommitQueue(twinDatabase, await database.QueryTextAsync("TwinGroupWriteKey"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await using (queue)
        {
            // Binding runs in the transaction, on whichever thread does SQLite's (synchronous) work.
            var threads = new ConcurrentBag<(bool Pool, string? Name)>();
            var probes = Enumerable.Range(0, 3)
                .Select(i => new CommandWrite("SELECT 1", _ => threads.Add((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name)), $"probe {i}"))
                .ToArray();
            foreach (var probe in probes)
            {
                Assert.True(await queue.WriteAsync(probe).WaitAsync(TimeSpan.FromSeconds(30)));
            }

            Assert.Equal(3, threads.Count);
            Assert.All(threads, thread =>
            {
                Assert.False(thread.Pool, "SQLite's work ran on a thread-pool thread, which Orleans runs the grains on");
                Assert.Equal("Group commit", thread.Name);
            });
        }
    }

    /// <summary>Another writer holding the state table (SQLite's write lock; on PostgreSQL, a table lock) until released.</summary>
    private sealed class TableHold : IAsyncDisposable
    {
        private readonly System.Data.Common.DbConnection _connection;
        private readonly System.Data.Common.DbTransaction _transaction;

        private TableHold(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction) =>
            (_connection, _transaction) = (connection, transaction);

        public static async Task<TableHold> TakeAsync(StorageTestDatabase database, StorageKind kind)
        {
            var connection = await database.OpenAsync();
            var transaction = await TwinDatabase.BeginWriteAsync(connection, CancellationToken.None);
            if (kind == StorageKind.PostgreSql)
            {
                await using var lockTable = connection.CreateCommand();
                lockTable.Transaction = transaction;
                lockTable.CommandText = "LOCK TABLE orleans_grain_state IN EXCLUSIVE MODE";
                await lockTable.ExecuteNonQueryAsync();
            }
            return new TableHold(connection, transaction);
        }

        public Task ReleaseAsync() => _transaction.RollbackAsync();

        public async ValueTask DisposeAsync()
        {
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    private async Task<StorageTestDatabase> NewDatabaseAsync(StorageKind kind)
    {
        var database = await StorageTestDatabase.CreateAsync(kind);
        _databases.Add(database);
        return database;
    }

    private async Task<StorageTestHost> StartAsync(StorageTestDatabase database, Action<TwinStorageOptions>? configure = null)
    {
        var host = await StorageTestHost.StartAsync(database, GrainStorageEngine.GroupCommit, _clock, _reminders, $"group-{Guid.NewGuid():N}", configure);
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
