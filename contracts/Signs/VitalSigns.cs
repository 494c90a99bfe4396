namespace CityOps.Twin.Contracts.Signs;

/// <summary>One thing that pulls an index down: a device, a case or a child area, and by how much.</summary>
public sealed record Contributor(string Id, string Name, double Weight);

/// <summary>Why each index stands where it does: its top contributors, heaviest first.</summary>
public sealed record IndexReasons(
    IReadOnlyList<Contributor> Flood,
    IReadOnlyList<Contributor> Safety,
    IReadOnlyList<Contributor> Infrastructure,
    IReadOnlyList<Contributor> CaseHandling)
{
    public static IndexReasons None { get; } = new([], [], [], []);
}

/// <summary>What an area reports to its parent on the "area-summaries" stream.</summary>
public sealed record AreaSummary(AreaDefinition Area, AreaCounters Counters, IndexReasons Reasons, DateTimeOffset At);

/// <summary>Case-handling indicators: 按期处置率, 结案率, 返工率, overdue and backlog.</summary>
public sealed record CaseIndicators(double OnTimeDisposalRate, double ClosureRate, double ReworkRate, int Overdue, int Backlog);

/// <summary>
/// 城市生命体征 of an area: each index 0-100, 100 the healthiest, the composite their weighted mean, with the
/// counters they come from and the reasons behind them.
/// </summary>
public sealed record VitalSigns(
    string Code,
    string Name,
    AreaLevel Level,
    double Flood,
    double Safety,
    double Infrastructure,
    double CaseHandling,
    double Composite,
    CaseIndicators Cases,
    AreaCounters Counters,
    IndexReasons Reasons,
    DateTimeOffset At);

/// <summary>One point of an area's trend: its indices as they stood at the end of a trend interval.</summary>
public sealed record VitalSignsSample(DateTimeOffset At, double Flood, double Safety, double Infrastructure, double CaseHandling, double Composite)
{
    public static VitalSignsSample Of(VitalSigns signs) =>
        new(signs.At, signs.Flood, signs.Safety, signs.Infrastructure, signs.CaseHandling, signs.Composite);
}
