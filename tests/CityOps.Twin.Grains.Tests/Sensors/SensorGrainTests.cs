using System.Collections.Concurrent;
using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Tests.Support;
using CityOps.Twin.Contracts.Live;

namespace CityOps.Twin.Grains.Tests.Sensors;

public sealed class SensorGrainTests
{
    private static readonly DateTimeOffset Noon = new(2026, 7, 27, 12, 0, 0, TimeSpan.FromHours(8));

    private static SensorFile Waterlogging(string id) =>
        new(id, SensorKind.Waterlogging, "龙华中路积水点 Longhua Rd waterlogging point", new GeoPoint(121.4521, 31.1894), "310104-0031");

    [Fact]
    public async Task A_reading_no_newer_than_the_last_is_ignored()
    {
        await using var silo = await TwinSilo.StartAsync();
        var sensor = silo.Grain<ISensorGrain>("w1");
        await sensor.File(Waterlogging("w1"));

        Assert.Equal(ReadingOutcome.Applied, await sensor.Record(new SensorReading("w1", Noon, 3)));
        Assert.Equal(ReadingOutcome.Stale, await sensor.Record(new SensorReading("w1", Noon, 30)));
        Assert.Equal(ReadingOutcome.Stale, await sensor.Record(new SensorReading("w1", Noon.AddMinutes(-5), 30)));

        var snapshot = (await sensor.GetSnapshot())!;
        Assert.Equal(3, snapshot.Value);
        Assert.Equal(AlarmLevel.None, snapshot.Level);
    }

    [Fact]
    public async Task A_reading_for_an_unfiled_sensor_or_outside_the_physical_range_is_refused_with_the_reason()
    {
        await using var silo = await TwinSilo.StartAsync();
        await silo.Grain<ISensorGrain>("w2").File(Waterlogging("w2"));

        var unfiled = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.Grain<ISensorGrain>("ghost").Record(new SensorReading("ghost", Noon, 1)));
        var absurd = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => silo.Grain<ISensorGrain>("w2").Record(new SensorReading("w2", Noon, 900)));
        var notANumber = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => silo.Grain<ISensorGrain>("w2").Record(new SensorReading("w2", Noon, double.NaN)));
        var stranger = await Assert.ThrowsAsync<ArgumentException>(() => silo.Grain<ISensorGrain>("w2").Record(new SensorReading("w3", Noon, 1)));

        Assert.Contains("ghost is not filed", unfiled.Message);
        Assert.Contains("Sensor w2: the reading is sensor w3's", stranger.Message);
        Assert.Contains("900 cm is outside the physical range 0..300", absurd.Message);
        Assert.Contains("NaN", notANumber.Message);
        Assert.Null((await silo.Grain<ISensorGrain>("w2").GetSnapshot())!.Value);
    }

    [Fact]
    public async Task A_batch_of_readings_is_applied_in_order_with_an_outcome_each_and_its_alarm_opens_one_case()
    {
        await using var silo = await TwinSilo.StartAsync();
        var sensor = silo.Grain<ISensorGrain>("w5");
        await sensor.File(Waterlogging("w5"));
        await sensor.Record(new SensorReading("w5", Noon, 2));

        var outcomes = await sensor.RecordMany(
        [
            new SensorReading("w5", Noon.AddMinutes(-1), 9),
            new SensorReading("w5", Noon.AddMinutes(1), 4),
            new SensorReading("w5", Noon.AddMinutes(2), 40),
            new SensorReading("w5", Noon.AddMinutes(2), 1),
            new SensorReading("w5", Noon.AddMinutes(3), 45),
        ]);

        Assert.Equal([ReadingOutcome.Stale, ReadingOutcome.Applied, ReadingOutcome.Applied, ReadingOutcome.Stale, ReadingOutcome.Applied], outcomes);
        var snapshot = (await sensor.GetSnapshot())!;
        Assert.Equal(45, snapshot.Value);
        Assert.Equal(Noon.AddMinutes(3), snapshot.MeasuredAt);
        Assert.Equal([2, 4, 40, 45], snapshot.Recent.Select(r => r.Value));
        Assert.NotEqual(AlarmLevel.None, snapshot.Level);
        Assert.Equal(1, snapshot.Episodes);
        Assert.Equal("S-w5-0001", snapshot.OpenCaseId);
    }

    [Fact]
    public async Task A_batch_with_one_bad_reading_is_refused_whole_and_the_error_says_which()
    {
        await using var silo = await TwinSilo.StartAsync();
        var sensor = silo.Grain<ISensorGrain>("w6");
        await sensor.File(Waterlogging("w6"));

        var absurd = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => sensor.RecordMany(
            [new SensorReading("w6", Noon, 3), new SensorReading("w6", Noon.AddMinutes(1), 900), new SensorReading("w6", Noon.AddMinutes(2), 4)]));
        var stranger = await Assert.ThrowsAsync<ArgumentException>(() => sensor.RecordMany(
            [new SensorReading("w6", Noon, 3), new SensorReading("w7", Noon.AddMinutes(1), 4)]));

        Assert.Contains("Sensor w6 (Waterlogging), reading 2 of 3: 900 cm is outside the physical range 0..300", absurd.Message);
        Assert.Contains("Sensor w6, reading 2 of 2: the reading is sensor w7's", stranger.Message);
        Assert.Null((await sensor.GetSnapshot())!.Value);
    }

    [Fact]
    public async Task An_alarm_change_is_published_to_the_live_feed_with_its_grid()
    {
        var received = new ConcurrentQueue<SensorAlarmChanged>();
        var twoChanges = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var grid = new GridAlarms("310104-0031", change =>
        {
            received.Enqueue(change);
            if (received.Count == 2)
            {
                twoChanges.TrySetResult();
            }
        });
        await using var silo = await TwinSilo.StartAsync(listeners: grid);
        var sensor = silo.Grain<ISensorGrain>("w3");
        await sensor.File(Waterlogging("w3"));

        // Each change is heard before the next is made: the feed does not promise the order of what is in flight.
        await sensor.Record(new SensorReading("w3", Noon, 27));
        await silo.SettleAsync();
        await sensor.Record(new SensorReading("w3", Noon.AddMinutes(10), 4));
        await twoChanges.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([(AlarmLevel.None, AlarmLevel.Orange), (AlarmLevel.Orange, AlarmLevel.None)], received.Select(c => (c.From, c.To)));
        Assert.All(received, c => Assert.Equal("w3", c.SensorId));
    }

    [Fact]
    public async Task The_trend_is_the_rise_per_hour_over_the_last_hour()
    {
        await using var silo = await TwinSilo.StartAsync();
        var sensor = silo.Grain<ISensorGrain>("w4");
        await sensor.File(Waterlogging("w4"));

        for (var minute = 0; minute <= 60; minute += 10)
        {
            await sensor.Record(new SensorReading("w4", Noon.AddMinutes(minute), 2 + minute / 10.0));
        }

        Assert.Equal(6.0, (await sensor.GetSnapshot())!.TrendPerHour, 6);
    }

    public static TheoryData<string> Stores => ["sqlite", "postgresql"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task After_a_restart_the_sensors_file_alarm_state_and_its_case_are_as_before(string store)
    {
        var id = $"w-{Guid.NewGuid():N}";
        var storage = await TwinStore.ByNameAsync(store, "sensor_restart");
        SensorSnapshot before;
        CaseRecord caseBefore;
        await using (var silo = await TwinSilo.StartAsync(storage))
        {
            var sensor = silo.Grain<ISensorGrain>(id);
            await sensor.File(Waterlogging(id));
            await sensor.Record(new SensorReading(id, Noon, 12));
            await sensor.Record(new SensorReading(id, Noon.AddMinutes(5), 26));
            before = (await sensor.GetSnapshot())!;
            caseBefore = (await silo.Grain<ICaseGrain>(before.OpenCaseId!).Act(new CaseStep(CaseAction.Register, "值班员")))!;
        }

        await using var restarted = await TwinSilo.StartAsync(storage);
        var after = (await restarted.Grain<ISensorGrain>(id).GetSnapshot())!;
        var caseAfter = await restarted.Grain<ICaseGrain>(before.OpenCaseId!).Get();

        Assert.Equal(AlarmLevel.Orange, after.Level);
        Assert.Equal(1, after.Episodes);
        Assert.Equal(before.File, after.File);
        Assert.Equal(before.OpenCaseId, after.OpenCaseId);
        Assert.Equal(26, after.Value);
        Assert.Equal(before.Recent, after.Recent);
        Assert.Equal(caseBefore with { Timeline = [] }, caseAfter! with { Timeline = [] });
        Assert.Equal(caseBefore.Timeline, caseAfter.Timeline);
        Assert.Equal(CaseStatus.Registered, caseAfter.Status);
    }

    /// <summary>What the live feed tells a silo of one grid's sensors' alarm changes, as a grid's view hears them.</summary>
    private sealed class GridAlarms(string gridCode, Action<SensorAlarmChanged> heard) : ITwinChangeListener
    {
        public void OnChanges(TwinChanges changes)
        {
            foreach (var alarm in changes.Alarms.Where(a => a.GridCode == gridCode))
            {
                heard(alarm);
            }
        }
    }
}
