using CityOps.Twin.Grains.History;

namespace CityOps.Twin.Silo.History;

/// <summary>One accepted reading waiting for the writer; <see cref="Queued"/> is a Stopwatch timestamp, for the write lag.</summary>
public readonly record struct QueuedReading(string SensorId, long AtTicks, double Value, long Queued);

/// <summary>One event waiting for the writer, with the areas its grid lies in ("/district/street/grid/", none for a switch).</summary>
public readonly record struct QueuedEvent(HistoryEvent Event, string? AreaPath, long Queued);

/// <summary>A reading as stored: the instant in UTC ticks (exact: the store keeps 100 ns ticks) and the value.</summary>
public readonly record struct StoredReading(long AtTicks, double Value);

/// <summary>The readings of one sensor in one bucket (a minute or an hour starting at <see cref="StartTicks"/>).</summary>
public readonly record struct ReadingBucket(long StartTicks, double Min, double Max, double Sum, long Count)
{
    public double Mean => Sum / Count;
}

/// <summary>One vital-signs sample of an area as stored.</summary>
public sealed record SignsSample(string Code, long AtTicks, double Flood, double Safety, double Infrastructure, double CaseHandling, double Composite);

/// <summary>An index's value over time: a sample, or (for long ranges) the mean, minimum and maximum of a bucket's samples.</summary>
public readonly record struct StoredSignPoint(long AtTicks, double Value, double Min, double Max);

/// <summary>An area's index as the latest sample at or before a moment held it, and that sample's time.</summary>
public readonly record struct StoredAreaValue(string Code, long SampledAtTicks, double Value);

/// <summary>A sensor's alarm level as its last alarm change at or before a moment left it, and that change's time.</summary>
public readonly record struct StoredAlarmLevel(string SensorId, long SinceTicks, string Level, string? GridCode);

/// <summary>An event as stored.</summary>
public sealed record StoredEvent(long AtTicks, string Kind, string Subject, string? GridCode, string? From, string? To, double? Value, string? Actor, string? Note);

/// <summary>The vital-sign indices the history keeps, by the names the API takes.</summary>
public enum SignsIndex
{
    Flood,
    Safety,
    Infrastructure,
    CaseHandling,
    Composite,
}

/// <summary>What the events query filters on: kinds (all if empty), an area (its path segment), a device or case.</summary>
public sealed record EventFilter(long FromTicks, long ToTicks, IReadOnlyList<HistoryEventKind> Kinds, string? AreaCode, string? Subject);
