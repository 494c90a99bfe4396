namespace CityOps.Twin.Contracts.Sensors;

/// <summary>
/// The rules of one sensor kind in one mode: the value at which each alarm level begins, how far below a
/// threshold a value must fall before its level clears (so a value hovering at a threshold does not flap),
/// and the physical range outside which a reading is not believed.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Sensors.SensorThresholds")]
public sealed record SensorThresholds(
    [property: Id(0)] string Unit,
    [property: Id(1)] double Blue,
    [property: Id(2)] double Yellow,
    [property: Id(3)] double Orange,
    [property: Id(4)] double Red,
    [property: Id(5)] double Hysteresis,
    [property: Id(6)] double PhysicalMinimum,
    [property: Id(7)] double PhysicalMaximum)
{
    public double ThresholdOf(AlarmLevel level) => level switch
    {
        AlarmLevel.Blue => Blue,
        AlarmLevel.Yellow => Yellow,
        AlarmLevel.Orange => Orange,
        AlarmLevel.Red => Red,
        _ => double.NegativeInfinity,
    };

    /// <summary>Null when the rules are consistent; otherwise what is wrong.</summary>
    public string? Problem() =>
        !(Blue < Yellow && Yellow < Orange && Orange < Red) ? $"thresholds must rise blue < yellow < orange < red; got {Blue}, {Yellow}, {Orange}, {Red}"
        : Hysteresis < 0 || Hysteresis >= Yellow - Blue ? $"hysteresis {Hysteresis} must be at least 0 and below the blue-yellow gap {Yellow - Blue}"
        : !(PhysicalMinimum < Blue && Red < PhysicalMaximum) ? $"the physical range {PhysicalMinimum}..{PhysicalMaximum} must contain every threshold"
        : null;
}
