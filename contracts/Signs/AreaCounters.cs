namespace CityOps.Twin.Contracts.Signs;

/// <summary>
/// The sums every vital sign is computed from. An area's counters are its children's added up, so each level's
/// indices follow exactly from the level below. Severities weigh alarm levels (see the vital-signs weights).
/// <see cref="StepsDue"/> counts the case steps whose deadline has come: those taken, and the pending step of each
/// open case past its deadline; <see cref="StepsOnTime"/> those taken by their deadline. <see cref="CasesDueToClose"/>
/// is the closed cases and the open ones overdue at any step.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Signs.AreaCounters")]
public sealed record AreaCounters(
    [property: Id(0)] int FloodSensors,
    [property: Id(1)] double FloodSeverity,
    [property: Id(2)] int SafetyItems,
    [property: Id(3)] double SafetySeverity,
    [property: Id(4)] int Devices,
    [property: Id(5)] double DeviceTrouble,
    [property: Id(6)] int CasesOpen,
    [property: Id(7)] int CasesOverdue,
    [property: Id(8)] int CasesClosed,
    [property: Id(9)] int CasesDueToClose,
    [property: Id(10)] int StepsDue,
    [property: Id(11)] int StepsOnTime,
    [property: Id(12)] int Reworks)
{
    public static AreaCounters Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static AreaCounters operator +(AreaCounters a, AreaCounters b) => new(
        a.FloodSensors + b.FloodSensors, a.FloodSeverity + b.FloodSeverity,
        a.SafetyItems + b.SafetyItems, a.SafetySeverity + b.SafetySeverity,
        a.Devices + b.Devices, a.DeviceTrouble + b.DeviceTrouble,
        a.CasesOpen + b.CasesOpen, a.CasesOverdue + b.CasesOverdue, a.CasesClosed + b.CasesClosed, a.CasesDueToClose + b.CasesDueToClose,
        a.StepsDue + b.StepsDue, a.StepsOnTime + b.StepsOnTime, a.Reworks + b.Reworks);
}
