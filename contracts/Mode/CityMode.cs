namespace CityOps.Twin.Contracts.Mode;

/// <summary>平/急: normal operations, or emergency command.</summary>
[GenerateSerializer, Alias("CityOps.Mode.OperatingMode")]
public enum OperatingMode
{
    Normal,
    Emergency,
}

/// <summary>Emergency response levels, IV (blue, least severe) to I (red, most severe).</summary>
[GenerateSerializer, Alias("CityOps.Mode.ResponseLevel")]
public enum ResponseLevel
{
    IV = 4,
    III = 3,
    II = 2,
    I = 1,
}

/// <summary>The kind of emergency the city is commanded for.</summary>
[GenerateSerializer, Alias("CityOps.Mode.EmergencyKind")]
public enum EmergencyKind
{
    Flood,
    Typhoon,
}

/// <summary>
/// The city's mode. Thresholds, deadlines and dispatch targets are looked up by it. In emergency it carries a
/// kind, a response level and, when not city-wide, the districts it covers.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Mode.CityMode")]
public sealed record CityMode(
    [property: Id(0)] OperatingMode Operating,
    [property: Id(1)] EmergencyKind? Kind,
    [property: Id(2)] ResponseLevel? Level,
    [property: Id(3)] IReadOnlyList<string> Districts,
    [property: Id(4)] DateTimeOffset Since,
    [property: Id(5)] string ChangedBy)
{
    public static CityMode Normal(DateTimeOffset since, string changedBy) => new(OperatingMode.Normal, null, null, [], since, changedBy);

    public bool IsEmergency => Operating == OperatingMode.Emergency;

    public bool IsCityWide => Districts.Count == 0;
}
