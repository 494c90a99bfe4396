using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Alerts;
using CityOps.Twin.Silo.Cap;
using CityOps.Twin.Silo.Storage;
using CityOps.Twin.Silo.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CityOps.Twin.Silo.Tests;

/// <summary>The alert journal's rules, the same in memory, on SQLite and on PostgreSQL.</summary>
public sealed class CapJournalTests
{
    private static readonly DateTimeOffset Start = new(2026, 7, 25, 8, 0, 0, TimeSpan.FromHours(8));

    private static SensorAlarmChanged Change(AlarmLevel from, AlarmLevel to, int minute) =>
        new("WL-00111", SensorKind.Waterlogging, "grid-1", from, to, 20 + minute, Start.AddMinutes(minute));

    /// <summary>A journal over a new, empty store of the kind; disposing it deletes the database.</summary>
    private sealed class Journal(ICapAlertStore store, StorageTestDatabase? database) : IAsyncDisposable
    {
        public ICapAlertStore Store { get; } = store;

        public static async Task<Journal> CreateAsync(string kind)
        {
            if (kind == "memory")
            {
                return new Journal(new MemoryCapAlertStore(keep: 1_000), null);
            }
            var database = await StorageTestDatabase.CreateAsync(kind == "sqlite" ? StorageKind.Sqlite : StorageKind.PostgreSql);
            var twin = new TwinDatabase(database.Kind, database.ConnectionString);
            await SchemaInstaller.InstallAsync(twin, NullLogger.Instance, CancellationToken.None);
            // No group-commit storage in this provider: the journal writes in a transaction of its own.
            return new Journal(new RelationalCapAlertStore(twin, new ServiceCollection().BuildServiceProvider()), database);
        }

        public async ValueTask DisposeAsync()
        {
            if (database is not null)
            {
                await database.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Recording_the_same_change_twice_stores_one_alert(string kind)
    {
        await using var journal = await Journal.CreateAsync(kind);
        var alarm = new JournaledAlarm(Change(AlarmLevel.None, AlarmLevel.Yellow, 0), Episode: 1);
        var change = new ModeChange(CityMode.Normal(Start, "system"),
            new CityMode(OperatingMode.Emergency, EmergencyKind.Flood, ResponseLevel.III, [], Start.AddMinutes(1), "指挥长"), "暴雨", Start.AddMinutes(1));

        await journal.Store.RecordAlarmAsync(alarm);
        await journal.Store.RecordAlarmAsync(alarm with { });
        await journal.Store.RecordSwitchesAsync([change]);
        await journal.Store.RecordSwitchesAsync([change, change]);

        var latest = await journal.Store.LatestAsync(100);
        Assert.Equal([AlertIdentifier.Switch(change), alarm.Identifier], latest.Select(a => a.Identifier));
        Assert.Equal((change.At, change.Reason, change.To.Level), (latest[0].Switch!.At, latest[0].Switch!.Reason, latest[0].Switch!.To.Level));
        Assert.Equal(alarm.Change, (await journal.Store.FindAsync(alarm.Identifier))!.Alarm);
        Assert.Null(await journal.Store.FindAsync("cityops-alarm-WL-00111-nothing"));
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_update_and_a_cancel_name_the_Alert_that_opened_their_episode_and_the_latest_come_first(string kind)
    {
        await using var journal = await Journal.CreateAsync(kind);
        var earlier = new JournaledAlarm(Change(AlarmLevel.None, AlarmLevel.Blue, 0), Episode: 1);
        var cancelled = new JournaledAlarm(Change(AlarmLevel.Blue, AlarmLevel.None, 1), Episode: 1);
        var opened = new JournaledAlarm(Change(AlarmLevel.None, AlarmLevel.Yellow, 2), Episode: 2);
        var update = new JournaledAlarm(Change(AlarmLevel.Yellow, AlarmLevel.Red, 3), Episode: 2);
        // The same reading judged again by a switch's thresholds: a change of its own, not the reading's.
        var switched = new JournaledAlarm(Change(AlarmLevel.Red, AlarmLevel.Orange, 3), Episode: 2, ModeSwitchedAt: Start.AddMinutes(4));
        var cancel = new JournaledAlarm(Change(AlarmLevel.Orange, AlarmLevel.None, 5), Episode: 2);
        foreach (var alarm in new[] { earlier, cancelled, opened, update, switched, cancel })
        {
            await journal.Store.RecordAlarmAsync(alarm);
        }

        var latest = await journal.Store.LatestAsync(4);

        Assert.Equal([cancel.Identifier, switched.Identifier, update.Identifier, opened.Identifier], latest.Select(a => a.Identifier));
        Assert.All(latest.Take(3), a => Assert.Equal(new EpisodeAlert(opened.Identifier, opened.Change.At), a.EpisodeAlert));
        Assert.Null(latest[3].EpisodeAlert);
        Assert.Equal(new EpisodeAlert(earlier.Identifier, earlier.Change.At), (await journal.Store.FindAsync(cancelled.Identifier))!.EpisodeAlert);
    }
}
