using CityOps.Twin.Grains.History;
using CityOps.Twin.Silo.History;
using CityOps.Twin.Silo.Storage;
using CityOps.Twin.Silo.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CityOps.Twin.Silo.Tests.History;

/// <summary>The store and its writer on their own: the buffer's bound, and the retention, on SQLite and PostgreSQL.</summary>
public sealed class HistoryStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static HistoryStore Store(StorageTestDatabase database, string folder) => database.Kind == StorageKind.Sqlite
        ? new SqliteHistoryStore(folder)
        : new PostgresHistoryStore(database.ConnectionString);

    private static QueuedReading Reading(string sensor, DateTimeOffset at, double value) => new(sensor, at.UtcTicks, value, 0);

    private static QueuedEvent Event(HistoryEventKind kind, string subject, DateTimeOffset at) =>
        new(new HistoryEvent(at, kind, subject, "310115-zhangjiang-001", null, "x"), "/city/310115/310115-zhangjiang/310115-zhangjiang-001/", 0);

    [Fact]
    public async Task A_full_buffer_drops_what_comes_next_and_counts_it_and_what_was_buffered_is_written()
    {
        var folder = Directory.CreateTempSubdirectory("twin-history-").FullName;
        var options = new HistoryOptions { BufferEntries = 1_000, BatchEntries = 300 };
        var writer = new HistoryWriter(new SqliteHistoryStore(folder), options, _ => null, NullLogger<HistoryWriter>.Instance);

        // The writer has not started: nothing drains, so the buffer fills and the rest is dropped, without waiting.
        for (var i = 0; i < 1_500; i++)
        {
            writer.Reading("WL-00001", Now.AddSeconds(i), i);
        }
        Assert.Equal(1_000, writer.Buffered);
        Assert.Equal(500, writer.Dropped);

        await writer.StartAsync(CancellationToken.None);
        Assert.True(await writer.WhenWrittenAsync(TimeSpan.FromSeconds(30)), "the buffered entries were written");
        Assert.Equal(1_000, writer.Written);
        var stored = await writer.Store.ReadingsAsync("WL-00001", Now.UtcTicks, Now.AddDays(1).UtcTicks, 10_000, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => (double)i), stored.Select(r => r.Value));
        await writer.StopAsync(CancellationToken.None);
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Retention_removes_readings_samples_and_device_events_past_their_days_and_keeps_alarms_cases_and_switches(StorageKind kind)
    {
        await using var database = await StorageTestDatabase.CreateAsync(kind);
        var folder = Directory.CreateTempSubdirectory("twin-history-").FullName;
        var store = Store(database, folder);
        await store.InstallAsync(CancellationToken.None);
        var old = Now.AddDays(-401);
        var recent = Now.AddDays(-399);
        await store.WriteAsync(
            [Reading("WL-00001", old, 1), Reading("WL-00001", old.AddMinutes(1), 2), Reading("WL-00001", recent, 3)],
            [Event(HistoryEventKind.Camera, "CAM-00001", old), Event(HistoryEventKind.Elevator, "ELV-00001", old), Event(HistoryEventKind.Alarm, "WL-00001", old),
                Event(HistoryEventKind.Case, "S-WL-00001-0001", old), Event(HistoryEventKind.Mode, "city", old), Event(HistoryEventKind.Camera, "CAM-00001", recent)],
            CancellationToken.None);
        await store.WriteSignsAsync([new SignsSample("city", old.UtcTicks, 90, 100, 100, 100, 97), new SignsSample("city", recent.UtcTicks, 80, 100, 100, 100, 95)],
            CancellationToken.None);

        Assert.True(await store.EnforceRetentionAsync(Now, new HistoryOptions { ReadingDays = 400 }, CancellationToken.None) > 0);

        var all = (From: Now.AddYears(-2).UtcTicks, To: Now.UtcTicks);
        Assert.Equal([3.0], (await store.ReadingsAsync("WL-00001", all.From, all.To, 100, CancellationToken.None)).Select(r => r.Value));
        Assert.Equal([recent.UtcTicks - recent.UtcTicks % TimeSpan.TicksPerHour],
            (await store.HoursAsync("WL-00001", all.From, all.To, 100, CancellationToken.None)).Select(b => b.StartTicks));
        Assert.Equal([80.0], (await store.SamplesAsync("city", SignsIndex.Flood, all.From, all.To, 100, CancellationToken.None)).Select(s => s.Value));
        var events = await store.EventsAsync(new EventFilter(all.From, all.To, [], null, null), 100, CancellationToken.None);
        Assert.Equal(["alarm", "case", "mode", "camera"], events.Select(e => e.Kind));
        Assert.Equal(recent.UtcTicks, events[^1].AtTicks);
        await store.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }
}
