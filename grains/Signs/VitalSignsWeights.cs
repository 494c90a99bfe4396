using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Grains.Signs;

/// <summary>
/// The weights behind the vital signs: how heavily each alarm level and device trouble counts, and how the
/// composite mixes the indices. They are this twin's documented defaults, not a published standard: an
/// operations centre tunes them and passes its own to <c>AddTwinCatalogues</c>.
/// </summary>
public sealed record VitalSignsWeights(
    double Blue,
    double Yellow,
    double Orange,
    double Red,
    double ElevatorFault,
    double ElevatorTrapped,
    double ElevatorMaintenance,
    double OfflineDevice,
    double OnTimeDisposal,
    double Closure,
    double NoRework,
    double Flood,
    double Safety,
    double Infrastructure,
    double CaseHandling)
{
    /// <summary>
    /// Alarm levels weigh a quarter each step (blue 0.25 ... red 1); a trapped elevator weighs as a red alarm,
    /// a fault as orange, maintenance a quarter; an offline device counts whole. Case handling mixes the on-time
    /// rate 40 % (<see cref="OnTimeDisposal"/>: steps taken by their deadline among those come due, every step's
    /// deadline counting, register, dispatch, dispose and check, as GB/T 30428's 按期处置率 and the overdue backlog:
    /// an open case past its step's deadline is a late step), closure 40 % (closed among the closed and the open
    /// cases overdue at any step) and no rework 20 %. A city where nobody acts on overdue cases scores 20, no better
    /// than one that acts late; an open case within its deadlines costs nothing. The composite weighs flood and safety 30 % each, the
    /// infrastructure and case-handling indices 20 % each.
    /// </summary>
    public static VitalSignsWeights Default { get; } = new(
        Blue: 0.25, Yellow: 0.5, Orange: 0.75, Red: 1.0,
        ElevatorFault: 0.75, ElevatorTrapped: 1.0, ElevatorMaintenance: 0.25, OfflineDevice: 1.0,
        OnTimeDisposal: 0.4, Closure: 0.4, NoRework: 0.2,
        Flood: 0.3, Safety: 0.3, Infrastructure: 0.2, CaseHandling: 0.2);

    public double Severity(AlarmLevel level) => level switch
    {
        AlarmLevel.Blue => Blue,
        AlarmLevel.Yellow => Yellow,
        AlarmLevel.Orange => Orange,
        AlarmLevel.Red => Red,
        _ => 0,
    };

    public double Severity(ElevatorStatus status) => status switch
    {
        ElevatorStatus.Fault => ElevatorFault,
        ElevatorStatus.Trapped => ElevatorTrapped,
        ElevatorStatus.Maintenance => ElevatorMaintenance,
        _ => 0,
    };

    public string? Problem() =>
        Math.Abs(OnTimeDisposal + Closure + NoRework - 1) > 1e-9 ? "the case-handling weights must add up to 1"
        : Math.Abs(Flood + Safety + Infrastructure + CaseHandling - 1) > 1e-9 ? "the composite weights must add up to 1"
        : null;
}
