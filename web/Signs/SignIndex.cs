using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Web.Signs;

/// <summary>The indices a view can show or colour the map by.</summary>
public enum SignIndex
{
    Composite,
    Flood,
    Safety,
    Infrastructure,
    CaseHandling,
}

public static class SignIndexes
{
    public static readonly SignIndex[] All = Enum.GetValues<SignIndex>();

    /// <summary>Below this an area is bad: the map's legend turns orange there and the wall lists the grid as bad.</summary>
    public const double Bad = 60;

    public static double Of(this VitalSigns signs, SignIndex index) => index switch
    {
        SignIndex.Flood => signs.Flood,
        SignIndex.Safety => signs.Safety,
        SignIndex.Infrastructure => signs.Infrastructure,
        SignIndex.CaseHandling => signs.CaseHandling,
        _ => signs.Composite,
    };

    public static double Of(this VitalSignsSample sample, SignIndex index) => index switch
    {
        SignIndex.Flood => sample.Flood,
        SignIndex.Safety => sample.Safety,
        SignIndex.Infrastructure => sample.Infrastructure,
        SignIndex.CaseHandling => sample.CaseHandling,
        _ => sample.Composite,
    };

    public static IReadOnlyList<Contributor> ReasonsFor(this IndexReasons reasons, SignIndex index) => index switch
    {
        SignIndex.Flood => reasons.Flood,
        SignIndex.Safety => reasons.Safety,
        SignIndex.Infrastructure => reasons.Infrastructure,
        SignIndex.CaseHandling => reasons.CaseHandling,
        _ => [],
    };

    /// <summary>The health colour of an index value: green at 100 through amber to red at 0 (the map's legend).</summary>
    public static string Colour(double value) => value switch
    {
        >= 90 => "#2e9e5b",
        >= 75 => "#8cc152",
        >= 60 => "#f2c94c",
        >= 40 => "#f2994a",
        _ => "#d64545",
    };
}
