using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Alerts;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Grains.Live;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Grains.Placement;

namespace CityOps.Twin.Grains.Sensors;

/// <summary>
/// A sensor's live state. Readings are applied in time order (an older or repeated one is ignored); the alarm
/// level follows <see cref="AlarmEvaluator"/>. Entering alarm from none starts an episode and opens exactly
/// one case for it, with an id made of the sensor and the episode number, so a replayed reading cannot open
/// a second. Level changes are journaled for CAP (<see cref="IAlertJournal"/>), written through and published on the
/// grid's alarm and device-state streams; the readings themselves are hot state, written behind: the latest within
/// the runtime's window, the history within 5 s.
/// </summary>
[GridPlacement]
public sealed class SensorGrain(
    [PersistentState("file", TwinGrains.Storage)] IPersistentState<SensorFileState> file,
    [PersistentState("live", TwinGrains.Storage)] IPersistentState<SensorLiveState> live,
    [PersistentState("recent", TwinGrains.Storage)] IPersistentState<SensorRecentState> recent,
    SensorRulebook rules,
    CaseCategoryCatalogue categories,
    CityModeCache modes,
    IAlertJournal journal,
    IHistoryAppender history,
    TimeProvider time) : Grain, ISensorGrain
{
    /// <summary>
    /// The history is saved at most this late (the latest value within the runtime's window): rewriting a
    /// sensor's 96 readings every second was most of the cost of ingest at city scale.
    /// </summary>
    public const double RecentWriteBehindSeconds = 5;

    private OperatingMode _mode;

    // Written-behind states are saved as the grain leaves, not within their window: its next activation may be on
    // another silo (a silo stopping, or the grain moving to its grid's silo: HotState).
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => HotState.FlushAsync(this);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A state saved before the history had its own kept it in the live state: it moves over once.
        if (live.State.Recent is { } legacy)
        {
            if (!recent.RecordExists)
            {
                recent.State.Readings = legacy;
                await recent.WriteStateAsync();
            }
            live.State.Recent = null;
            await live.WriteStateAsync();
        }
        _mode = modes.For(file.State.File?.GridCode ?? string.Empty);
    }

    public async Task ApplyMode(OperatingMode mode)
    {
        if (mode == _mode)
        {
            return;
        }
        _mode = mode;
        // The latest value is judged again by the new thresholds: a depth that was blue may be yellow in a flood emergency.
        if (file.State.File is { } sensorFile && live.State.Value is { } value && live.State.MeasuredAt is { } at)
        {
            var from = file.State.Level;
            var to = AlarmEvaluator.Next(from, value, rules.For(sensorFile.Kind, _mode));
            if (to != from)
            {
                // The switch now in force (put in every silo's cache before any sensor is told) names this change.
                await ChangeLevelAsync(sensorFile, from, to, new SensorReading(sensorFile.SensorId, at, value), modes.Current.Mode.Since);
            }
        }
    }

    public async Task File(SensorFile sensorFile)
    {
        if (sensorFile.SensorId != this.GetPrimaryKeyString())
        {
            throw new ArgumentException($"The file of sensor {sensorFile.SensorId} was sent to sensor {this.GetPrimaryKeyString()}.");
        }
        if (!sensorFile.Position.IsValid)
        {
            throw new ArgumentException($"Sensor {sensorFile.SensorId}: position {sensorFile.Position} is not a longitude/latitude.");
        }
        file.State.File = sensorFile;
        await file.WriteStateAsync();
        // Filed (or moved) into a grid: its rules are that grid's, which an emergency may cover.
        _mode = modes.For(sensorFile.GridCode);
        await PublishStateAsync(sensorFile);
    }

    public async Task<ReadingOutcome> Record(SensorReading reading)
    {
        var sensorFile = FileOrThrow();
        var thresholds = rules.For(sensorFile.Kind, _mode);
        Check(sensorFile, thresholds, reading, where: null);
        if (!Apply(reading, thresholds, out var from, out var to))
        {
            return ReadingOutcome.Stale;
        }
        try
        {
            if (to != from)
            {
                await ChangeLevelAsync(sensorFile, from, to, reading);
            }
        }
        finally
        {
            await HandOverReadingsAsync();
        }
        // Into the history once accepted: a reading whose alarm could not be journaled is refused, and comes again.
        history.Reading(reading.SensorId, reading.MeasuredAt, reading.Value);
        return ReadingOutcome.Applied;
    }

    public async Task<ReadingOutcome[]> RecordMany(SensorReading[] readings)
    {
        var sensorFile = FileOrThrow();
        var thresholds = rules.For(sensorFile.Kind, _mode);
        for (var i = 0; i < readings.Length; i++)
        {
            Check(sensorFile, thresholds, readings[i], where: $"reading {i + 1} of {readings.Length}");
        }

        var outcomes = new ReadingOutcome[readings.Length];
        var anyApplied = false;
        try
        {
            for (var i = 0; i < readings.Length; i++)
            {
                if (!Apply(readings[i], thresholds, out var from, out var to))
                {
                    outcomes[i] = ReadingOutcome.Stale;
                    continue;
                }
                (outcomes[i], anyApplied) = (ReadingOutcome.Applied, true);
                // Each alarm change in its turn: a batch that enters, leaves and enters alarm opens two episodes.
                if (to != from)
                {
                    await ChangeLevelAsync(sensorFile, from, to, readings[i]);
                }
            }
        }
        finally
        {
            // The hot states go to the storage once for the whole batch: that is what a batch saves.
            if (anyApplied)
            {
                await HandOverReadingsAsync();
            }
        }
        for (var i = 0; i < readings.Length; i++)
        {
            if (outcomes[i] == ReadingOutcome.Applied)
            {
                history.Reading(readings[i].SensorId, readings[i].MeasuredAt, readings[i].Value);
            }
        }
        return outcomes;
    }

    private SensorFile FileOrThrow() =>
        file.State.File ?? throw new InvalidOperationException($"Sensor {this.GetPrimaryKeyString()} is not filed; file it before sending readings.");

    private static void Check(SensorFile sensorFile, SensorThresholds thresholds, SensorReading reading, string? where)
    {
        var at = where is null ? string.Empty : $", {where}";
        if (reading.SensorId != sensorFile.SensorId)
        {
            throw new ArgumentException($"Sensor {sensorFile.SensorId}{at}: the reading is sensor {reading.SensorId}'s.", nameof(reading));
        }
        if (!double.IsFinite(reading.Value) || reading.Value < thresholds.PhysicalMinimum || reading.Value > thresholds.PhysicalMaximum)
        {
            throw new ArgumentOutOfRangeException(nameof(reading), reading.Value,
                $"Sensor {sensorFile.SensorId} ({sensorFile.Kind}){at}: {reading.Value} {thresholds.Unit} is outside the physical range {thresholds.PhysicalMinimum}..{thresholds.PhysicalMaximum}.");
        }
    }

    /// <summary>Applies one checked reading in memory (false if stale), and answers the alarm level it moves from and to.</summary>
    private bool Apply(SensorReading reading, SensorThresholds thresholds, out AlarmLevel from, out AlarmLevel to)
    {
        from = to = file.State.Level;
        if (live.State.MeasuredAt is { } last && reading.MeasuredAt <= last)
        {
            return false;
        }
        live.State.Value = reading.Value;
        live.State.MeasuredAt = reading.MeasuredAt;
        recent.State.Readings.Add(reading.MeasuredAt, reading.Value);
        to = AlarmEvaluator.Next(from, reading.Value, thresholds);
        return true;
    }

    /// <summary>The latest reading and the history to the storage, which saves them behind (<see cref="TwinGrains.WriteBehind"/>).</summary>
    private async Task HandOverReadingsAsync()
    {
        await live.WriteStateAsync();
        await recent.WriteStateAsync();
    }

    public Task<SensorSnapshot?> GetSnapshot() => Task.FromResult(file.State.File is { } sensorFile
        ? new SensorSnapshot(sensorFile, live.State.Value, live.State.MeasuredAt, file.State.Level, file.State.Episodes, file.State.OpenCaseId,
            TrendPerHour(recent.State.Readings), recent.State.Readings.ToReadings(sensorFile.SensorId), rules.For(sensorFile.Kind, _mode))
        : null);

    private async Task ChangeLevelAsync(SensorFile sensorFile, AlarmLevel from, AlarmLevel to, SensorReading reading, DateTimeOffset? modeSwitchedAt = null)
    {
        if (from == AlarmLevel.None)
        {
            file.State.Episodes++;
            var caseId = $"S-{sensorFile.SensorId}-{file.State.Episodes:D4}";
            var category = rules.CaseCategoryOf(sensorFile.Kind);
            await GrainFactory.GetGrain<ICaseGrain>(caseId).Report(new NewCase(
                $"{categories.Get(category).Name}: {sensorFile.Name}",
                $"{sensorFile.Kind} {reading.Value} {rules.For(sensorFile.Kind, _mode).Unit} at {reading.MeasuredAt:u}, {to} alarm",
                category, CaseSource.Sensor, sensorFile.Position, sensorFile.GridCode, $"sensor {sensorFile.SensorId}"));
            file.State.OpenCaseId = caseId;
        }
        else if (to == AlarmLevel.None)
        {
            file.State.OpenCaseId = null;
        }

        file.State.Level = to;
        var change = new SensorAlarmChanged(sensorFile.SensorId, sensorFile.Kind, sensorFile.GridCode, from, to, reading.Value, reading.MeasuredAt);
        try
        {
            // Journaled before the level is durable: a silo dying in between leaves the old level stored, so the
            // retried reading makes the same change again, under the same identifier, which the journal keeps once.
            await journal.RecordAlarmAsync(new JournaledAlarm(change, file.State.Episodes, modeSwitchedAt));
            await file.WriteStateAsync();
        }
        catch
        {
            // The level in memory is ahead of the stored one: the next activation reads the stored level, so the
            // change is made (and journaled) again rather than taken for done.
            DeactivateOnIdle();
            throw;
        }
        history.Event(new HistoryEvent(reading.MeasuredAt, HistoryEventKind.Alarm, sensorFile.SensorId, sensorFile.GridCode, from.ToString(), to.ToString(),
            reading.Value, Note: modeSwitchedAt is null ? null : "judged again at a mode switch"));
        await TwinPublish.AlarmAsync(GrainFactory, change);
        await PublishStateAsync(sensorFile);
    }

    private Task PublishStateAsync(SensorFile sensorFile) =>
        TwinPublish.DeviceAsync(GrainFactory, new DeviceState(sensorFile.SensorId, DeviceKind.Sensor, sensorFile.Name, sensorFile.GridCode, sensorFile.Position,
                sensorFile.Kind, file.State.Level, Online: true, ElevatorStatus: null, time.GetUtcNow()));

    /// <summary>Least-squares slope of the readings of the last hour before the latest, in units per hour.</summary>
    private static double TrendPerHour(ReadingRing recent)
    {
        if (recent.Count < 2)
        {
            return 0;
        }
        var latest = recent.TimeAt(recent.Count - 1);
        var first = recent.Count - 1;
        while (first > 0 && latest - recent.TimeAt(first - 1) <= TimeSpan.FromHours(1))
        {
            first--;
        }
        // Fewer than two in the hour: the slope between the last two.
        first = Math.Min(first, recent.Count - 2);

        double sumX = 0, sumY = 0;
        var n = recent.Count - first;
        for (var i = first; i < recent.Count; i++)
        {
            sumX += (recent.TimeAt(i) - latest).TotalHours;
            sumY += recent.ValueAt(i);
        }
        double meanX = sumX / n, meanY = sumY / n, covariance = 0, variance = 0;
        for (var i = first; i < recent.Count; i++)
        {
            var x = (recent.TimeAt(i) - latest).TotalHours - meanX;
            covariance += x * (recent.ValueAt(i) - meanY);
            variance += x * x;
        }
        return variance == 0 ? 0 : covariance / variance;
    }
}

/// <summary>The sensor's file and alarm state: written through, so a restart finds every alarm as it was.</summary>
public sealed class SensorFileState
{
    public SensorFile? File { get; set; }

    public AlarmLevel Level { get; set; }

    public int Episodes { get; set; }

    public string? OpenCaseId { get; set; }
}

/// <summary>The latest reading: hot, written behind.</summary>
public sealed class SensorLiveState
{
    public double? Value { get; set; }

    public DateTimeOffset? MeasuredAt { get; set; }

    /// <summary>Where states saved before <see cref="SensorRecentState"/> kept the history; moved there on activation.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ReadingRing? Recent { get; set; }
}

/// <summary>Readings kept for the trend and the device page: a day of 15-minute readings, an hour of 1-minute ones.</summary>
public sealed class SensorRecentState
{
    public ReadingRing Readings { get; set; } = new(ReadingRingConverter.DefaultCapacity);
}
