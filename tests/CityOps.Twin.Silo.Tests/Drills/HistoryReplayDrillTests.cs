using System.Globalization;
using System.Net.Http.Json;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Drills;
using CityOps.Twin.Silo.History;
using CityOps.Twin.Silo.Storage;
using CityOps.Twin.Silo.Tests.History;
using CityOps.Twin.Silo.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Twin.Silo.Tests.Drills;

/// <summary>
/// Drills from history: a real morning of the Wusong tide gauge, ingested into the live twin at its own cadence on the
/// test's clock, replayed as a drill on another date. What the drill's sensor must see and which alarms it must raise
/// are worked out here from the series and the rulebook's thresholds, not by the drill or the grains.
/// </summary>
public sealed class HistoryReplayDrillTests
{
    private const string TideSensor = "TD-00001";

    private static readonly DateOnly Day = new(2023, 9, 1);

    private static readonly DateTimeOffset From = new(2023, 9, 1, 0, 0, 0, WusongDay.Shanghai);

    private static readonly DateTimeOffset To = new(2023, 9, 1, 12, 0, 0, WusongDay.Shanghai);

    /// <summary>The drill plays the morning on another date: what the sensor sees is placed by its offset from From.</summary>
    private static readonly DateTimeOffset DrillStart = new(2024, 7, 1, 8, 0, 0, WusongDay.Shanghai);

    private static readonly Lazy<CityRegistry> Demo = new(() => new CityRegistry(DemoCity.Build()));

    private static string Scenario(string replay, string head = "start: 2024-07-01T08:00:00+08:00\nduration: 12h\n") =>
        $"name: 吴淞潮位回放 Wusong replay\n{head}injects: []\nsensor-series:\n  from-history:\n{replay}";

    private static readonly string Morning = "    from: 2023-09-01T00:00:00+08:00\n    to: 2023-09-01T12:00:00+08:00\n";

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_recorded_tide_morning_replays_in_a_drill_with_each_reading_at_its_offset_and_the_alarms_its_values_imply(StorageKind kind)
    {
        var series = WusongDay.Read(Day);
        var span = series.Where(r => r.At >= From && r.At <= To).ToList();
        Assert.True(span.Count >= 12, $"the Wusong series has {span.Count} readings from {From} to {To}");
        await using var database = await StorageTestDatabase.CreateAsync(kind);
        var clock = new FakeTimeProvider(series[0].At);
        await using var live = kind == StorageKind.Sqlite
            ? new SiloFactory(("data", SiloFactory.NewDataFolder())) { Clock = clock }
            : new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "postgres"), ("connection", database.ConnectionString)) { Clock = clock };
        var http = await live.CreateTwinClientAsync();
        await live.WhenCityFiledAsync();
        // The whole day goes in; the drill takes only its morning.
        foreach (var (at, value) in series)
        {
            if (at > clock.GetUtcNow())
            {
                clock.SetUtcNow(at);
            }
            (await http.PostAsJsonAsync("/api/ingest/readings", new
            {
                readings = new[] { new { sensorId = TideSensor, measuredAt = at.ToString("O", CultureInfo.InvariantCulture), value } },
            })).EnsureSuccessStatusCode();
        }
        Assert.True(await live.Services.GetRequiredService<HistoryWriter>().WhenWrittenAsync(TimeSpan.FromSeconds(60)), "the history writer caught up");
        var history = live.Services.GetRequiredService<HistoryStore>();

        // No sensors named: every sensor of the city with readings in the span is replayed, here the one tide gauge.
        var read = DrillScenarioReader.Read(new StringReader(Scenario(Morning)), "replay.yaml", Demo.Value);
        var scenario = await DrillHistoryReplay.ReadAsync(read, Demo.Value, history, "off");
        Assert.Equal((1, span.Count), (scenario.Replay!.Sensors, scenario.Replay.Readings));
        Assert.Equal([$"history-{TideSensor}"], scenario.Injects.Select(i => i.Id));
        Assert.Equal(new Contracts.Drills.DrillPlanReplay(From, To, 1), scenario.Plan(Contracts.Drills.DrillPlayers.Scripted).Replay);

        await using var run = await DrillRun.CreateAsync(Demo.Value, CaseCategoryCatalogue.Default, SensorRulebook.Default, new SwitchoverOptions(), scenario.Start);
        var report = await run.RunAsync(scenario, speed: 0);

        // The drill's gauge saw exactly the morning's readings, each at its offset from From on the drill clock.
        var seen = (await run.Client.GetGrain<ISensorGrain>(TideSensor).GetSnapshot())!;
        Assert.Equal(span.Select(r => ((DrillStart + (r.At - From)).UtcTicks, r.Value)), seen.Recent.Select(r => (r.MeasuredAt.UtcTicks, r.Value)));

        // Its alarms are those the readings imply by the tide's normal thresholds, each heard at its reading's drill minute.
        var thresholds = SensorRulebook.Default.For(SensorKind.Tide, OperatingMode.Normal);
        var expected = new List<(TimeSpan At, AlarmLevel From, AlarmLevel To, double Value)>();
        var level = AlarmLevel.None;
        foreach (var (at, value) in span)
        {
            var next = new[] { AlarmLevel.Red, AlarmLevel.Orange, AlarmLevel.Yellow, AlarmLevel.Blue }.FirstOrDefault(l =>
                value >= thresholds.ThresholdOf(l) || (l <= level && value >= thresholds.ThresholdOf(l) - thresholds.Hysteresis), AlarmLevel.None);
            if (next != level)
            {
                expected.Add((at - From, level, next, value));
                level = next;
            }
        }
        Assert.Contains(expected, e => e.To == AlarmLevel.Yellow);
        Assert.Equal(AlarmLevel.None, expected[^1].To);
        Assert.Equal(expected.Select(e => (e.At, $"{TideSensor} {e.From} → {e.To} ({e.Value:0.##})")),
            report.Timeline.Where(e => e.Kind == "alarm" && e.Reference == TideSensor).Select(e => (e.At, e.What)));

        // They are the alarms the live city raised when it lived the morning, at the same offsets.
        var recorded = await history.EventsAsync(new EventFilter(From.UtcTicks, To.UtcTicks, [HistoryEventKind.Alarm], null, TideSensor), 100, CancellationToken.None);
        Assert.Equal(expected.Select(e => (e.At.Ticks, e.From.ToString(), e.To.ToString(), (double?)e.Value)),
            recorded.Select(e => (e.AtTicks - From.UtcTicks, e.From!, e.To!, e.Value)));

        // The alarm's case belongs to the replayed series, and the timeline says what was replayed.
        Assert.Contains(report.Cases, c => c.CaseId == $"S-{TideSensor}-0001" && c.Inject == $"history-{TideSensor}");
        Assert.Contains(report.Timeline, e => e.At == TimeSpan.Zero && e.What.StartsWith("回放历史 Replaying the city's recorded readings from 2023-09-01 00:00 +08:00 to 2023-09-01 12:00 +08:00: 1 sensor, ", StringComparison.Ordinal));

        // On the same store: a span with no readings, and one with more than the drill may hold, are refused naming the field.
        var empty = DrillScenarioReader.Read(new StringReader(Scenario("    from: 2023-08-01T00:00:00+08:00\n    to: 2023-08-01T06:00:00+08:00\n")), "replay.yaml", Demo.Value);
        var none = await Assert.ThrowsAsync<DrillScenarioException>(() => DrillHistoryReplay.ReadAsync(empty, Demo.Value, history, "off"));
        Assert.Equal("replay.yaml line 6, sensor-series.from-history: the history holds no readings of any sensor of the city from 2023-08-01T00:00:00+08:00 "
            + "to 2023-08-01T06:00:00+08:00 (or they are past the history's retention, History:ReadingDays).", none.Message);
        var tooMany = await Assert.ThrowsAsync<DrillScenarioException>(() => DrillHistoryReplay.ReadAsync(read, Demo.Value, history, "off", CancellationToken.None, span.Count - 1));
        Assert.StartsWith($"replay.yaml line 6, sensor-series.from-history: the span holds more than {span.Count - 1} readings", tooMany.Message);
    }

    [Fact]
    public async Task A_scenarios_own_series_drives_its_sensor_and_the_history_the_rest()
    {
        var folder = Directory.CreateTempSubdirectory("twin-replay-").FullName;
        await using var history = new SqliteHistoryStore(folder);
        await history.InstallAsync(CancellationToken.None);
        await history.WriteAsync(
            [new QueuedReading("WL-00100", From.AddMinutes(5).UtcTicks, 30, 0), new QueuedReading("WL-00101", From.AddMinutes(90).UtcTicks, 12.5, 0)], [], CancellationToken.None);
        var yaml = "name: x\nstart: 2024-07-01T08:00:00+08:00\nduration: 12h\ninjects:\n  - { id: scripted, at: 0m, kind: sensor-series, device: WL-00100, values: [{ after: 0m, value: 3 }] }\n"
            + "sensor-series:\n  from-history:\n" + Morning;

        var scenario = await DrillHistoryReplay.ReadAsync(DrillScenarioReader.Read(new StringReader(yaml), "mixed.yaml", Demo.Value), Demo.Value, history, "off");

        Assert.Equal([("scripted", "WL-00100"), ("history-WL-00101", "WL-00101")], scenario.Injects.Select(i => (i.Id, i.Device!)));
        Assert.Equal([(TimeSpan.FromMinutes(90), 12.5)], scenario.Injects[1].Series);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Without_a_start_or_a_duration_a_replay_plays_the_span_on_its_own_dates()
    {
        var scenario = DrillScenarioReader.Read(new StringReader(Scenario(Morning, head: "")), "replay.yaml", Demo.Value);

        Assert.Equal((From, TimeSpan.FromHours(12)), (scenario.Start, scenario.Duration));
        Assert.Equal((From, To, (IReadOnlyList<string>?)null), (scenario.Replay!.From, scenario.Replay.To, scenario.Replay.Only));
        // A time in UTC (Z) is the same instant.
        var utc = DrillScenarioReader.Read(new StringReader(Scenario("    from: 2023-08-31T16:00:00Z\n    to: 2023-09-01T04:00:00.5Z\n", head: "")), "replay.yaml", Demo.Value);
        Assert.Equal((From, To.AddMilliseconds(500)), (utc.Replay!.From, utc.Replay.To));
    }

    [Theory]
    [InlineData("    from: 2023-09-01T12:00:00+08:00\n    to: 2023-09-01T12:00:00+08:00\n", "line 7, sensor-series.from-history.from", "2023-09-01T12:00:00+08:00 is not before to (2023-09-01T12:00:00+08:00)")]
    [InlineData("    from: 2023-09-01T12:00:00+08:00\n    to: 2023-09-01T06:00:00+08:00\n", "line 7, sensor-series.from-history.from", "2023-09-01T12:00:00+08:00 is not before to (2023-09-01T06:00:00+08:00)")]
    [InlineData("    from: 2023-09-01T00:00:00\n    to: 2023-09-01T12:00:00+08:00\n", "line 7, sensor-series.from-history.from", "expected a time with its offset like 2021-07-25T08:00:00+08:00, got '2023-09-01T00:00:00'")]
    [InlineData("    from: 2023-09-01T00:00:00+08:00\n    to: noon\n", "line 8, sensor-series.from-history.to", "expected a time with its offset")]
    [InlineData("    from: 2023-09-01T00:00:00+08:00\n", "line 7, sensor-series.from-history.to", "is required")]
    [InlineData("    from: 2023-09-01T00:00:00+08:00\n    to: 2023-09-05T00:00:00+08:00\n", "line 8, sensor-series.from-history.to", "the span 4.00:00:00 is longer than the 72 hours a drill replays at most")]
    [InlineData("    from: 2023-09-01T00:00:00+08:00\n    to: 2023-09-01T13:00:00+08:00\n", "line 8, sensor-series.from-history.to", "the span 13:00:00 is longer than the drill's duration 12:00:00")]
    [InlineData("    from: 2023-09-01T00:00:00+08:00\n    to: 2023-09-01T12:00:00+08:00\n    sensors: [TD-00001, TD-99999]\n", "line 9, sensor-series.from-history.sensors[1]", "'TD-99999' is not a sensor of the city")]
    [InlineData("    from: 2023-09-01T00:00:00+08:00\n    to: 2023-09-01T12:00:00+08:00\n    sensors: []\n", "line 9, sensor-series.from-history.sensors", "expected at least one sensor")]
    [InlineData("    from: 2023-09-01T00:00:00+08:00\n    to: 2023-09-01T12:00:00+08:00\n    speed: 2\n", "line 9, sensor-series.from-history.speed", "is not a field of from-history; its fields are from, to and sensors")]
    public void A_bad_span_is_refused_when_the_scenario_is_read_naming_the_line_and_the_field(string replay, string where, string problem)
    {
        var refused = Assert.Throws<DrillScenarioException>(() => DrillScenarioReader.Read(new StringReader(Scenario(replay)), "bad.yaml", Demo.Value));

        Assert.Contains($"bad.yaml {where}: {problem}", refused.Message);
    }

    [Fact]
    public void A_sensor_named_for_the_replay_that_an_inject_drives_is_refused()
    {
        var yaml = "name: x\nstart: 2024-07-01T08:00:00+08:00\nduration: 12h\ninjects:\n  - { id: scripted, at: 0m, kind: sensor-series, device: WL-00100, values: [{ after: 0m, value: 3 }] }\n"
            + "sensor-series:\n  from-history:\n" + Morning + "    sensors:\n      - WL-00100\n";

        var refused = Assert.Throws<DrillScenarioException>(() => DrillScenarioReader.Read(new StringReader(yaml), "bad.yaml", Demo.Value));

        Assert.Equal("bad.yaml line 11, sensor-series.from-history.sensors[0]: 'WL-00100' is driven by the inject 'scripted'; a sensor takes its readings from one series.", refused.Message);
    }

    [Fact]
    public async Task A_replay_is_refused_at_the_start_when_the_city_keeps_no_history_and_nothing_runs()
    {
        var data = SiloFactory.NewDataFolder();
        Directory.CreateDirectory(Path.Combine(data, "drills"));
        await File.WriteAllTextAsync(Path.Combine(data, "drills", "replay.yaml"), Scenario(Morning));
        await using var silo = new SiloFactory(("data", data), ("storage", "memory"));
        var http = await silo.CreateTwinClientAsync();
        var desk = silo.Services.GetRequiredService<Contracts.Drills.IDrillDesk>();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => desk.StartAsync("replay.yaml", 600));

        Assert.Equal("replay.yaml line 6, sensor-series.from-history: the city's history is off (--storage memory keeps none), so there are no recorded readings to replay.", refused.Message);
        Assert.Null(desk.Current);
        // The API says the same, as a 400 naming the field; the live twin goes on answering.
        var response = await http.PostAsJsonAsync("/api/drills/start", new { scenario = "replay.yaml", speed = 600 });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("sensor-series.from-history: the city's history is off", await response.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/api/areas/city")).StatusCode);
    }
}
