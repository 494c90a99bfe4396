using System.Text.Json.Serialization;

namespace CityOps.Twin.Silo.Api;

/// <summary>A sensor's history: raw readings, or buckets (1m, 1h) of min, max, mean and count; the other list is null.</summary>
/// <param name="Step">What the answer holds: raw, 1m or 1h (longer than asked when the range held too many rows: see Note).</param>
/// <param name="Truncated">True when the rows were capped at History:MaxRows: ask again from the last row's time.</param>
public sealed record DeviceHistory(
    string DeviceId, string SensorKind, string Unit, DateTimeOffset From, DateTimeOffset To, string Step, string? Note, bool Truncated,
    IReadOnlyList<ReadingPoint>? Readings, IReadOnlyList<ReadingAggregate>? Buckets);

public sealed record ReadingPoint(DateTimeOffset At, double Value);

/// <summary>The readings of a whole minute or hour starting at At.</summary>
public sealed record ReadingAggregate(DateTimeOffset At, double Min, double Max, double Mean, long Count);

/// <summary>
/// An area's index over time. Step "sample": the stored samples (one per SampleIntervalSeconds at most, none while the
/// index did not change; the first may be before From: the value in force at From). Step 1h or 1d: buckets of samples
/// with their mean as Value and Min, Max.
/// </summary>
public sealed record AreaHistory(
    string Code, string Name, string Level, string Index, DateTimeOffset From, DateTimeOffset To, string Step, int SampleIntervalSeconds, string? Note,
    bool Truncated, IReadOnlyList<SignPoint> Samples);

/// <summary>A sample (Min and Max left out), or a bucket's mean with its Min and Max.</summary>
public sealed record SignPoint(
    DateTimeOffset At,
    double Value,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Min,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Max);

/// <summary>Events in time order; a mode switch (Subject "city", no Grid) is in every area's answer.</summary>
public sealed record HistoryEvents(
    DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string> Kinds, string? Area, string? Device, bool Truncated, string? Note,
    IReadOnlyList<HistoryEventView> Events);

/// <summary>
/// One event. Kind alarm: From/To alarm levels, Value the reading. case: From/To statuses, Actor, Note the step. mode:
/// From/To the modes, Actor the commander, Note the reason. camera: To online, offline or a detection (Value its
/// confidence). elevator: From/To statuses, Actor who reported it.
/// </summary>
public sealed record HistoryEventView(
    DateTimeOffset At, string Kind, string Subject, string? Grid, string? From, string? To, double? Value, string? Actor, string? Note);

/// <summary>
/// The city at a moment (GET /api/history/state). Mode: the last switch's at or before At ("Normal" when none is kept),
/// since ModeSince. OldestSampleAgeSeconds: the age at At of the oldest sample answered (a grid's index is its latest
/// sample's; a calm grid stores none while it does not change). GridsWithoutSample: grids with no sample at or before At,
/// left out of Grids. Alarms: the sensors whose last alarm change at or before At left them at a level.
/// </summary>
public sealed record CityStateThen(
    DateTimeOffset At, string Index, int SampleIntervalSeconds, string Mode, DateTimeOffset? ModeSince, long? OldestSampleAgeSeconds,
    int GridsWithoutSample, string? Note, IReadOnlyList<GridStateThen> Grids, IReadOnlyList<AlarmStateThen> Alarms);

/// <summary>A grid's index at the moment: its latest sample at or before it, taken at SampledAt, SampleAgeSeconds before the moment.</summary>
public sealed record GridStateThen(string Code, double Value, DateTimeOffset SampledAt, long SampleAgeSeconds);

/// <summary>A sensor in alarm at the moment, at Level since Since.</summary>
public sealed record AlarmStateThen(string SensorId, string? Grid, string Level, DateTimeOffset Since);
