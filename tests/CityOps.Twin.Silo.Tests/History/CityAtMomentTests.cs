using CityOps.Twin.Grains.History;
using CityOps.Twin.Silo.History;
using CityOps.Twin.Silo.Storage;
using CityOps.Twin.Silo.Tests.Storage;

namespace CityOps.Twin.Silo.Tests.History;

/// <summary>The state-at-a-moment queries of the time slider on the real stores: grids' latest samples, sensors then in alarm, the mode then.</summary>
public sealed class CityAtMomentTests
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 27, 0, 0, 0, TimeSpan.Zero);

    private static async Task<(StorageTestDatabase Database, HistoryStore Store, string Folder)> OpenAsync(StorageKind kind)
    {
        var database = await StorageTestDatabase.CreateAsync(kind);
        var folder = Directory.CreateTempSubdirectory("twin-history-").FullName;
        HistoryStore store = kind == StorageKind.Sqlite ? new SqliteHistoryStore(folder) : new PostgresHistoryStore(database.ConnectionString);
        await store.InstallAsync(CancellationToken.None);
        return (database, store, folder);
    }

    private static QueuedEvent Alarm(string sensor, DateTimeOffset at, string from, string to) =>
        new(new HistoryEvent(at, HistoryEventKind.Alarm, sensor, $"grid-{sensor}", from, to, 1.0), null, 0);

    private static QueuedEvent Switch(DateTimeOffset at, string from, string to) =>
        new(new HistoryEvent(at, HistoryEventKind.Mode, "city", null, from, to, Actor: "指挥长"), null, 0);

    private static SignsSample Sample(string code, DateTimeOffset at, double flood) => new(code, at.UtcTicks, flood, 100, 100, 100, (flood + 300) / 4);

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_moment_shows_each_grids_last_sample_at_or_before_it_the_sensors_then_in_alarm_and_the_mode_then(StorageKind kind)
    {
        var (database, store, folder) = await OpenAsync(kind);
        await using var _ = database;
        await store.WriteSignsAsync(
            [Sample("g1", T0, 100), Sample("g1", T0.AddMinutes(10), 40), Sample("g2", T0, 90), Sample("g3", T0.AddMinutes(30), 70)], CancellationToken.None);
        await store.WriteAsync([], [
            Alarm("WL-1", T0.AddMinutes(5), "None", "Red"),
            Alarm("WL-2", T0.AddMinutes(7), "None", "Yellow"),
            Alarm("WL-3", T0.AddMinutes(5), "None", "Blue"),
            Switch(T0.AddMinutes(6), "Normal", "Emergency Flood IV"),
            Alarm("WL-3", T0.AddMinutes(6), "Blue", "None"),
            Alarm("WL-2", T0.AddMinutes(12), "Yellow", "Orange"),
            Alarm("WL-1", T0.AddMinutes(30), "Red", "None"),
            Switch(T0.AddMinutes(30), "Emergency Flood IV", "Normal"),
        ], CancellationToken.None);
        var grids = new[] { "g1", "g2", "g3", "g4" };
        var sensors = new[] { "WL-1", "WL-2", "WL-3", "WL-4" };

        async Task<(Dictionary<string, (long, double)> Grids, Dictionary<string, string> Alarms, string? Mode)> At(DateTimeOffset at)
        {
            var values = await store.AreaValuesAtAsync(grids, SignsIndex.Flood, at.UtcTicks, CancellationToken.None);
            var alarms = await store.AlarmLevelsAtAsync(sensors, at.UtcTicks, CancellationToken.None);
            var mode = await store.ModeAtAsync(at.UtcTicks, CancellationToken.None);
            return (values.ToDictionary(v => v.Code, v => (v.SampledAtTicks, v.Value)), alarms.ToDictionary(a => a.SensorId, a => a.Level), mode?.To);
        }

        var before = await At(T0.AddTicks(-1));
        Assert.Empty(before.Grids);
        Assert.Empty(before.Alarms);
        Assert.Null(before.Mode);

        // Just before the first alarm: the calm samples, nothing in alarm, no switch yet.
        var calm = await At(T0.AddMinutes(5).AddTicks(-1));
        Assert.Equal(new Dictionary<string, (long, double)> { ["g1"] = (T0.UtcTicks, 100), ["g2"] = (T0.UtcTicks, 90) }, calm.Grids);
        Assert.Empty(calm.Alarms);

        // At a change's own instant it counts (at or before); a sensor raised and lowered again is not in alarm.
        var storm = await At(T0.AddMinutes(10));
        Assert.Equal((T0.AddMinutes(10).UtcTicks, 40.0), storm.Grids["g1"]);
        Assert.Equal(new Dictionary<string, string> { ["WL-1"] = "Red", ["WL-2"] = "Yellow" }, storm.Alarms);
        Assert.Equal("Emergency Flood IV", storm.Mode);
        Assert.Equal("grid-WL-1", (await store.AlarmLevelsAtAsync(["WL-1"], T0.AddMinutes(10).UtcTicks, CancellationToken.None))[0].GridCode);

        var later = await At(T0.AddHours(2));
        Assert.Equal(new Dictionary<string, (long, double)>
        {
            ["g1"] = (T0.AddMinutes(10).UtcTicks, 40), ["g2"] = (T0.UtcTicks, 90), ["g3"] = (T0.AddMinutes(30).UtcTicks, 70),
        }, later.Grids);
        Assert.Equal(new Dictionary<string, string> { ["WL-2"] = "Orange" }, later.Alarms);
        Assert.Equal("Normal", later.Mode);
        await store.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task Over_many_random_samples_and_alarm_changes_every_moment_agrees_with_reading_the_whole_history(StorageKind kind)
    {
        var (database, store, folder) = await OpenAsync(kind);
        await using var _ = database;
        var random = new Random(17);
        var grids = Enumerable.Range(0, 60).Select(i => $"grid-{i:D3}").ToArray();
        var sensors = Enumerable.Range(0, 40).Select(i => $"WL-{i:D5}").ToArray();
        var levels = new[] { "None", "Blue", "Yellow", "Orange", "Red" };
        var samples = new List<SignsSample>();
        foreach (var grid in grids)
        {
            foreach (var minute in Enumerable.Range(0, 600).Where(_ => random.NextDouble() < 0.05))
            {
                samples.Add(Sample(grid, T0.AddMinutes(minute), Math.Round(random.NextDouble() * 100, 1)));
            }
        }
        var events = new List<QueuedEvent>();
        foreach (var sensor in sensors)
        {
            var level = "None";
            foreach (var minute in Enumerable.Range(0, 600).Where(_ => random.NextDouble() < 0.03))
            {
                var next = levels[random.Next(levels.Length)];
                events.Add(Alarm(sensor, T0.AddMinutes(minute), level, next));
                level = next;
            }
        }
        await store.WriteSignsAsync(samples, CancellationToken.None);
        await store.WriteAsync([], [.. events.OrderBy(e => e.Event.At)], CancellationToken.None);

        foreach (var minute in new[] { -1, 0, 1, 59, 150, 299, 300, 451, 599, 700 })
        {
            var at = T0.AddMinutes(minute).AddSeconds(30).UtcTicks;
            var expectedGrids = samples.Where(s => s.AtTicks <= at).GroupBy(s => s.Code)
                .ToDictionary(g => g.Key, g => g.MaxBy(s => s.AtTicks)!.Flood);
            var expectedAlarms = events.Where(e => e.Event.At.UtcTicks <= at).GroupBy(e => e.Event.Subject)
                .Select(g => g.Last()).Where(e => e.Event.To != "None").ToDictionary(e => e.Event.Subject, e => e.Event.To!);

            var answered = await store.AreaValuesAtAsync(grids, SignsIndex.Flood, at, CancellationToken.None);
            var alarms = await store.AlarmLevelsAtAsync(sensors, at, CancellationToken.None);
            Assert.Equal(expectedGrids, answered.ToDictionary(v => v.Code, v => v.Value));
            Assert.Equal(expectedAlarms, alarms.ToDictionary(a => a.SensorId, a => a.Level));
        }
        await store.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }
}
