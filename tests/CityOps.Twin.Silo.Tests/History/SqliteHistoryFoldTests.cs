using CityOps.Twin.Silo.History;
using Microsoft.Data.Sqlite;

namespace CityOps.Twin.Silo.Tests.History;

/// <summary>
/// SQLite's history appends readings to a table without an index and folds them into the (sensor, time) indexed table
/// and the hourly aggregates every minute or when many have come: a reading reads back the same before and after its
/// fold, and neither a restart nor a file written before the fold existed loses or double-counts one.
/// </summary>
public sealed class SqliteHistoryFoldTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 22, 30, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("twin-history-fold-").FullName;

    private static QueuedReading Reading(string sensor, DateTimeOffset at, double value) => new(sensor, at.UtcTicks, value, 0);

    /// <summary>Sensor i's k-th reading: every 7 minutes from Start, over midnight and several hours.</summary>
    private static List<QueuedReading> Readings(int sensors, int each) =>
        [.. Enumerable.Range(0, each).SelectMany(k => Enumerable.Range(0, sensors).Select(i =>
            Reading($"WL-{i:D5}", Start.AddMinutes(7 * k).AddSeconds(i), Math.Round(Math.Sin(k + i) * 40 + 50, 3))))];

    private (long Folded, long Recent) Rows(SqliteHistoryStore store)
    {
        using var db = new SqliteConnection($"Data Source={store.Path};Pooling=false");
        db.Open();
        long Count(string table)
        {
            using var command = db.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            return (long)command.ExecuteScalar()!;
        }
        return (Count(HistoryStore.ReadingTable), Count(SqliteHistoryStore.RecentTable));
    }

    private static async Task AssertReadsBackAsync(HistoryStore store, IReadOnlyList<QueuedReading> written)
    {
        var (from, to) = (Start.AddDays(-1).UtcTicks, Start.AddDays(1).UtcTicks);
        foreach (var sensor in written.GroupBy(r => r.SensorId))
        {
            var stored = await store.ReadingsAsync(sensor.Key, from, to, 10_000, CancellationToken.None);
            Assert.Equal(sensor.Select(r => (r.AtTicks, r.Value)).OrderBy(r => r.AtTicks), stored.Select(r => (r.AtTicks, r.Value)));

            var hours = await store.HoursAsync(sensor.Key, from, to, 10_000, CancellationToken.None);
            var expected = sensor.GroupBy(r => r.AtTicks - r.AtTicks % TimeSpan.TicksPerHour).OrderBy(h => h.Key)
                .Select(h => (h.Key, h.Min(r => r.Value), h.Max(r => r.Value), Math.Round(h.Sum(r => r.Value), 6), (long)h.Count()));
            Assert.Equal(expected, hours.Select(b => (b.StartTicks, b.Min, b.Max, Math.Round(b.Sum, 6), b.Count)));

            var minutes = await store.MinutesAsync(sensor.Key, from, to, 10_000, CancellationToken.None);
            Assert.Equal(sensor.Count(), minutes.Sum(b => b.Count));
        }
    }

    [Fact]
    public async Task Readings_read_back_the_same_before_and_after_they_are_folded()
    {
        await using var store = new SqliteHistoryStore(_folder);
        await store.InstallAsync(CancellationToken.None);
        var first = Readings(sensors: 20, each: 3);
        await store.WriteAsync(first, [], CancellationToken.None);
        // The first batch of a run folds (what an earlier run left); the next ones wait in the recent table for a minute.
        Assert.Equal((first.Count, 0L), Rows(store));
        var second = Readings(sensors: 20, each: 40).Skip(first.Count).ToList();
        await store.WriteAsync(second, [], CancellationToken.None);
        Assert.Equal((first.Count, second.Count), Rows(store));
        await AssertReadsBackAsync(store, [.. first, .. second]);

        await store.FoldAsync(CancellationToken.None);

        Assert.Equal((first.Count + second.Count, 0L), Rows(store));
        await AssertReadsBackAsync(store, [.. first, .. second]);
    }

    [Fact]
    public async Task Recent_readings_fold_once_as_many_as_the_limit_have_come()
    {
        await using var store = new SqliteHistoryStore(_folder, foldRows: 100);
        await store.InstallAsync(CancellationToken.None);
        var readings = Readings(sensors: 10, each: 26);
        await store.WriteAsync(readings[..10], [], CancellationToken.None);
        await store.WriteAsync(readings[10..70], [], CancellationToken.None);
        Assert.Equal((10L, 60L), Rows(store));
        await store.WriteAsync(readings[70..130], [], CancellationToken.None);
        // 120 recent readings reached the limit of 100: that batch folded them all.
        Assert.Equal((130L, 0L), Rows(store));
        await store.WriteAsync(readings[130..200], [], CancellationToken.None);
        Assert.Equal((130L, 70L), Rows(store));
        await AssertReadsBackAsync(store, readings[..200]);
    }

    [Fact]
    public async Task Readings_left_unfolded_by_a_stop_are_read_after_a_restart_and_folded_by_its_first_batch_once()
    {
        var first = Readings(sensors: 15, each: 2);
        var second = Readings(sensors: 15, each: 30).Skip(first.Count).ToList();
        await using (var store = new SqliteHistoryStore(_folder))
        {
            await store.InstallAsync(CancellationToken.None);
            await store.WriteAsync(first, [], CancellationToken.None);
            await store.WriteAsync(second, [], CancellationToken.None);
            Assert.Equal((first.Count, second.Count), Rows(store));
        }

        await using var again = new SqliteHistoryStore(_folder);
        await again.InstallAsync(CancellationToken.None);
        await AssertReadsBackAsync(again, [.. first, .. second]);
        var third = new List<QueuedReading> { Reading("WL-00000", Start.AddHours(5), 12.5) };
        await again.WriteAsync(third, [], CancellationToken.None);
        Assert.Equal((first.Count + second.Count + 1L, 0L), Rows(again));
        await AssertReadsBackAsync(again, [.. first, .. second, .. third]);
    }

    [Fact]
    public async Task A_file_written_before_the_fold_existed_keeps_its_readings_and_gets_their_hours()
    {
        // The layout of the history before the recent table: readings straight into the indexed table, the hours added
        // up to a watermark every minute. This file's last readings are past the watermark.
        var old = Readings(sensors: 12, each: 20);
        var path = Path.Combine(_folder, SqliteHistoryStore.FileName);
        await using (var db = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE {HistoryStore.ReadingTable} (sensor_id TEXT NOT NULL, at INTEGER NOT NULL, value REAL NOT NULL);
                CREATE INDEX {HistoryStore.ReadingTable}_sensor_at ON {HistoryStore.ReadingTable} (sensor_id, at);
                CREATE TABLE {HistoryStore.HourTable} (sensor_id TEXT NOT NULL, bucket INTEGER NOT NULL, low REAL NOT NULL, high REAL NOT NULL,
                    total REAL NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (sensor_id, bucket)) WITHOUT ROWID;
                CREATE TABLE twin_history_watermark (name TEXT PRIMARY KEY, last_rowid INTEGER NOT NULL);
                INSERT INTO twin_history_watermark (name, last_rowid) VALUES ('hours', 0);
                """;
            await command.ExecuteNonQueryAsync();
            foreach (var reading in old)
            {
                await using var insert = db.CreateCommand();
                insert.CommandText = $"INSERT INTO {HistoryStore.ReadingTable} (sensor_id, at, value) VALUES (@s, @a, @v)";
                insert.Parameters.AddWithValue("@s", reading.SensorId);
                insert.Parameters.AddWithValue("@a", reading.AtTicks);
                insert.Parameters.AddWithValue("@v", reading.Value);
                await insert.ExecuteNonQueryAsync();
            }
        }

        await using var store = new SqliteHistoryStore(_folder);
        await store.InstallAsync(CancellationToken.None);
        await AssertReadsBackAsync(store, old);
        var next = new List<QueuedReading> { Reading("WL-00003", Start.AddHours(6), 7) };
        await store.WriteAsync(next, [], CancellationToken.None);
        Assert.Equal((old.Count + 1L, 0L), Rows(store));
        await AssertReadsBackAsync(store, [.. old, .. next]);

        // The stored hours alone now hold every reading: none counted twice, none left out.
        await using var check = new SqliteConnection($"Data Source={path};Pooling=false");
        await check.OpenAsync();
        await using var hours = check.CreateCommand();
        hours.CommandText = $"SELECT SUM(n) FROM {HistoryStore.HourTable}";
        Assert.Equal(old.Count + 1L, (long)(await hours.ExecuteScalarAsync())!);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
