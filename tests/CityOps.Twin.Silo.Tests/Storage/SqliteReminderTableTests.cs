using CityOps.Twin.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Tests.Storage;

/// <summary>
/// On SQLite the reminder table is the twin's own (<see cref="SqliteReminderTable"/>): Orleans' reminder contract
/// over the same table, with its changes committed in the group commit's transactions instead of waiting for
/// SQLite's writer lock inside the reminder service's turn.
/// </summary>
public sealed class SqliteReminderTableTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private StorageTestDatabase? _database;
    private StorageTestHost? _silo;

    private IReminderTable Table => _silo!.Services.GetRequiredService<IReminderTable>();

    private GroupCommitGrainStorage GroupCommit => (GroupCommitGrainStorage)_silo!.Storage;

    [Fact]
    public void The_silo_on_sqlite_uses_the_twins_reminder_table()
    {
        Assert.IsType<SqliteReminderTable>(Table);
    }

    [Fact]
    public async Task A_reminder_is_stored_in_a_group_commit_and_reads_back_as_written()
    {
        var grain = GrainId.Create("case", "S-WL-00200-0001");
        var startAt = new DateTime(2021, 7, 25, 14, 30, 0, DateTimeKind.Utc);
        var writesBefore = GroupCommit.Commits.Writes;

        var etag = await Table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "deadline", StartAt = startAt, Period = TimeSpan.FromMinutes(1) });

        Assert.Equal("0", etag);
        Assert.True(GroupCommit.Commits.Writes > writesBefore, "The reminder was not written through the group commit.");
        var row = await Table.ReadRow(grain, "deadline");
        Assert.NotNull(row);
        Assert.Equal((grain, "deadline", startAt, TimeSpan.FromMinutes(1), "0"), (row.GrainId, row.ReminderName, row.StartAt, row.Period, row.ETag));
        Assert.Equal(DateTimeKind.Utc, row.StartAt.Kind);
        Assert.Single((await Table.ReadRows(grain)).Reminders);

        var moved = await Table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "deadline", StartAt = startAt.AddHours(2), Period = TimeSpan.FromMinutes(1) });
        Assert.Equal("1", moved);
        Assert.Equal(startAt.AddHours(2), (await Table.ReadRow(grain, "deadline"))!.StartAt);
    }

    [Fact]
    public async Task Removing_with_an_old_etag_removes_nothing_and_with_the_current_one_removes_the_reminder()
    {
        var grain = GrainId.Create("case", "H-12345-0042");
        var first = await Table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "deadline", StartAt = DateTime.UtcNow, Period = TimeSpan.FromMinutes(1) });
        var current = await Table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "deadline", StartAt = DateTime.UtcNow, Period = TimeSpan.FromMinutes(2) });

        Assert.False(await Table.RemoveRow(grain, "deadline", first!));
        Assert.False(await Table.RemoveRow(grain, "deadline", "not-a-version"));
        Assert.NotNull(await Table.ReadRow(grain, "deadline"));
        Assert.True(await Table.RemoveRow(grain, "deadline", current!));
        Assert.Null(await Table.ReadRow(grain, "deadline"));
    }

    [Fact]
    public async Task Every_reminder_is_in_exactly_one_silos_share_of_the_ring_however_it_is_cut()
    {
        var grains = Enumerable.Range(0, 200).Select(i => GrainId.Create("case", $"S-GS-{i:D5}-0001")).ToList();
        foreach (var grain in grains)
        {
            await Table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "deadline", StartAt = DateTime.UtcNow, Period = TimeSpan.FromMinutes(1) });
        }

        // Ring cuts across both the unsigned and the signed wrap-round points.
        foreach (var cuts in new uint[][] { [0], [0x1000_0000, 0x9000_0000], [0x7FFF_FFFF, 0x8000_0000, 0xF000_0000], [0xC000_0000, 0x4000_0000] })
        {
            var sorted = cuts.Order().ToArray();
            var seen = new List<GrainId>();
            for (var i = 0; i < sorted.Length; i++)
            {
                var begin = sorted[i];
                var end = sorted[(i + 1) % sorted.Length];
                var rows = (await Table.ReadRows(begin, end)).Reminders;
                foreach (var row in rows)
                {
                    Assert.True(InRange(row.GrainId.GetUniformHashCode(), begin, end), $"{row.GrainId} is outside ({begin:X8}, {end:X8}].");
                }
                seen.AddRange(rows.Select(r => r.GrainId));
            }
            Assert.Equal(grains.Order().ToList(), seen.Order().ToList());
        }
    }

    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    public async Task InitializeAsync()
    {
        _database = await StorageTestDatabase.CreateAsync(StorageKind.Sqlite);
        _silo = await StorageTestHost.StartAsync(_database, GrainStorageEngine.GroupCommit, _clock, new ReminderLog(), $"reminders-{Guid.NewGuid():N}");
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
