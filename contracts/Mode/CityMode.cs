namespace CityOps.Twin.Contracts.Mode;

/// <summary>平/急: normal operations, or emergency command.</summary>
public enum OperatingMode
{
    Normal,
    Emergency,
}

/// <summary>Emergency response levels, IV (blue, least severe) to I (red, most severe).</summary>
public enum ResponseLevel
{
    IV = 4,
    III = 3,
    II = 2,
    I = 1,
}

/// <summary>The kind of emergency the city is commanded for.</summary>
public enum EmergencyKind
{
    Flood,
    Typhoon,
}

/// <summary>
/// The city's mode. Thresholds, deadlines and dispatch targets are looked up by it. In emergency it carries a
/// kind, a response level and, when not city-wide, the districts it covers.
/// </summary>
public sealed record CityMode(
    OperatingMode Operating,
    EmergencyKind? Kind,
    ResponseLevel? Level,
    IReadOnlyList<string> Districts,
    DateTimeOffset Since,
    string ChangedBy)
{
    public static CityMode Normal(DateTimeOffset since, string changedBy) => new(OperatingMode.Normal, null, null, [], since, changedBy);

    public bool IsEmergency => Operating == OperatingMode.Emergency;

    public bool IsCityWide => Districts.Count == 0;
}
