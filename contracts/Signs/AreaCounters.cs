namespace CityOps.Twin.Contracts.Signs;

/// <summary>
/// The sums every vital sign is computed from. An area's counters are its children's added up, so each level's
/// indices follow exactly from the level below. Severities weigh alarm levels (see the vital-signs weights).
/// </summary>
public sealed record AreaCounters(
    int FloodSensors,
    double FloodSeverity,
    int SafetyItems,
    double SafetySeverity,
    int Devices,
    double DeviceTrouble,
    int CasesOpen,
    int CasesOverdue,
    int CasesClosed,
    int CasesDueToClose,
    int DisposalsDue,
    int DisposalsOnTime,
    int Reworks)
{
    public static AreaCounters Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static AreaCounters operator +(AreaCounters a, AreaCounters b) => new(
        a.FloodSensors + b.FloodSensors, a.FloodSeverity + b.FloodSeverity,
        a.SafetyItems + b.SafetyItems, a.SafetySeverity + b.SafetySeverity,
        a.Devices + b.Devices, a.DeviceTrouble + b.DeviceTrouble,
        a.CasesOpen + b.CasesOpen, a.CasesOverdue + b.CasesOverdue, a.CasesClosed + b.CasesClosed, a.CasesDueToClose + b.CasesDueToClose,
        a.DisposalsDue + b.DisposalsDue, a.DisposalsOnTime + b.DisposalsOnTime, a.Reworks + b.Reworks);
}
