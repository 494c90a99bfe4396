using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Web.Signs;

namespace CityOps.Twin.Web.History;

/// <summary>A value at a time: a reading or sample (Min = Max = Value, Count 1), or a bucket starting at At (Value its mean).</summary>
public sealed record HistoryPoint(DateTimeOffset At, double Value, double Min, double Max, long Count)
{
    public static HistoryPoint Single(DateTimeOffset at, double value) => new(at, value, value, value, 1);
}

/// <summary>
/// A sensor's readings over a range. <see cref="BucketWidth"/> null: raw readings; otherwise buckets of that width.
/// <see cref="Thresholds"/> holds the thresholds in force from the range's start and from every switch that changed the
/// sensor's rules (an emergency covering its district lowers them), in time order.
/// </summary>
public sealed record SensorHistory(
    string SensorId, SensorKind Kind, string Unit, DateTimeOffset From, DateTimeOffset To, TimeSpan? BucketWidth,
    IReadOnlyList<HistoryPoint> Points, IReadOnlyList<ThresholdsInForce> Thresholds, IReadOnlyList<ModeSwitchMark> Switches);

/// <summary>The thresholds a sensor was judged by from <see cref="From"/> until the next entry (or the range's end).</summary>
public sealed record ThresholdsInForce(DateTimeOffset From, OperatingMode Mode, SensorThresholds Thresholds);

/// <summary>
/// An area's indices over a range. <see cref="BucketWidth"/> null: the stored samples (an index holds its value until
/// the next; the first may be before From: the value then in force); otherwise buckets of samples (mean, min, max).
/// </summary>
public sealed record SignsHistory(
    string Code, DateTimeOffset From, DateTimeOffset To, TimeSpan? BucketWidth, IReadOnlyDictionary<SignIndex, IReadOnlyList<HistoryPoint>> Series,
    IReadOnlyList<ModeSwitchMark> Switches);

/// <summary>A switch of the city's mode: to what, by whom and why.</summary>
public sealed record ModeSwitchMark(
    DateTimeOffset At, OperatingMode To, EmergencyKind? Kind, ResponseLevel? Level, IReadOnlyList<string> Districts, string? By, string? Reason)
{
    public static ModeSwitchMark Of(ModeChange change) =>
        new(change.At, change.To.Operating, change.To.Kind, change.To.Level, change.To.Districts, change.To.ChangedBy, change.Reason);
}
