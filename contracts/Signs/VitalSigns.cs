namespace CityOps.Twin.Contracts.Signs;

/// <summary>One thing that pulls an index down: a device, a case or a child area, and by how much.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Signs.Contributor")]
public sealed record Contributor(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] double Weight);

/// <summary>Why each index stands where it does: its top contributors, heaviest first.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Signs.IndexReasons")]
public sealed record IndexReasons(
    [property: Id(0)] IReadOnlyList<Contributor> Flood,
    [property: Id(1)] IReadOnlyList<Contributor> Safety,
    [property: Id(2)] IReadOnlyList<Contributor> Infrastructure,
    [property: Id(3)] IReadOnlyList<Contributor> CaseHandling)
{
    public static IndexReasons None { get; } = new([], [], [], []);
}

/// <summary>What an area reports to its parent on the "area-summaries" stream.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Signs.AreaSummary")]
public sealed record AreaSummary(
    [property: Id(0)] AreaDefinition Area,
    [property: Id(1)] AreaCounters Counters,
    [property: Id(2)] IndexReasons Reasons,
    [property: Id(3)] DateTimeOffset At);

/// <summary>
/// Case-handling indicators: 按期处置率 (on time among the steps come due, every step's deadline counting: register,
/// dispatch, dispose, check; an open case past its deadline is a late step), 结案率 (closed among the closed and the
/// open cases overdue at any step), 返工率, overdue and backlog.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Signs.CaseIndicators")]
public sealed record CaseIndicators(
    [property: Id(0)] double OnTimeDisposalRate,
    [property: Id(1)] double ClosureRate,
    [property: Id(2)] double ReworkRate,
    [property: Id(3)] int Overdue,
    [property: Id(4)] int Backlog);

/// <summary>
/// 城市生命体征 of an area: each index 0-100, 100 the healthiest, the composite their weighted mean, with the
/// counters they come from and the reasons behind them.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Signs.VitalSigns")]
public sealed record VitalSigns(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name,
    [property: Id(2)] AreaLevel Level,
    [property: Id(3)] double Flood,
    [property: Id(4)] double Safety,
    [property: Id(5)] double Infrastructure,
    [property: Id(6)] double CaseHandling,
    [property: Id(7)] double Composite,
    [property: Id(8)] CaseIndicators Cases,
    [property: Id(9)] AreaCounters Counters,
    [property: Id(10)] IndexReasons Reasons,
    [property: Id(11)] DateTimeOffset At);

/// <summary>One point of an area's trend: its indices as they stood at the end of a trend interval.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Signs.VitalSignsSample")]
public sealed record VitalSignsSample(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] double Flood,
    [property: Id(2)] double Safety,
    [property: Id(3)] double Infrastructure,
    [property: Id(4)] double CaseHandling,
    [property: Id(5)] double Composite)
{
    public static VitalSignsSample Of(VitalSigns signs) =>
        new(signs.At, signs.Flood, signs.Safety, signs.Infrastructure, signs.CaseHandling, signs.Composite);
}
