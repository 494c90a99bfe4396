using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Grains.Signs;

/// <summary>
/// Counters from a grid's devices and cases, and indices from counters. Indices are 0-100, 100 healthiest:
/// flood and safety are 100 × (1 − mean severity) of their sensors (and elevators, for safety); infrastructure
/// is 100 × (1 − trouble per device); case handling mixes the on-time, closure and (no) rework rates, in which a
/// case counts once a deadline of it has come: a step taken (on time or late), or an open case overdue at any step
/// (late, and due to close but not closed). An open case within its deadlines counts for nothing either way.
/// </summary>
public sealed class VitalSignsCalculator(VitalSignsWeights weights)
{
    /// <summary>How many contributors each index lists as its reasons.</summary>
    public const int ReasonCount = 5;

    public static bool IsFloodKind(SensorKind kind) => kind is SensorKind.Waterlogging or SensorKind.RiverLevel or SensorKind.Tide or SensorKind.Rainfall;

    public static bool IsSafetyKind(SensorKind kind) => kind is SensorKind.HazardousGas or SensorKind.BridgeStrain or SensorKind.BridgeCrack;

    public VitalSignsWeights Weights => weights;

    public (AreaCounters Counters, IndexReasons Reasons) FromGrid(IEnumerable<DeviceState> devices, IEnumerable<CaseRecord> cases)
    {
        var flood = new List<Contributor>();
        var safety = new List<Contributor>();
        var trouble = new List<Contributor>();
        var handling = new List<Contributor>();
        int floodSensors = 0, safetyItems = 0, deviceCount = 0;
        double floodSeverity = 0, safetySeverity = 0, deviceTrouble = 0;

        foreach (var device in devices)
        {
            deviceCount++;
            var offline = device.Online ? 0 : weights.OfflineDevice;
            var elevator = device.ElevatorStatus is { } status ? weights.Severity(status) : 0;
            if (device.SensorKind is { } kind)
            {
                var severity = weights.Severity(device.Level);
                if (IsFloodKind(kind))
                {
                    floodSensors++;
                    floodSeverity += severity;
                    Add(flood, device.DeviceId, device.Name, severity);
                }
                else if (IsSafetyKind(kind))
                {
                    safetyItems++;
                    safetySeverity += severity;
                    Add(safety, device.DeviceId, device.Name, severity);
                }
            }
            if (device.Kind == DeviceKind.Elevator)
            {
                safetyItems++;
                var trapped = device.ElevatorStatus == ElevatorStatus.Trapped ? weights.ElevatorTrapped : 0;
                safetySeverity += trapped;
                Add(safety, device.DeviceId, device.Name, trapped);
            }

            // A trapped elevator counts against safety; any other elevator trouble, and being offline, against infrastructure.
            var infrastructure = offline + (device.ElevatorStatus == ElevatorStatus.Trapped ? 0 : elevator);
            deviceTrouble += infrastructure;
            Add(trouble, device.DeviceId, device.Name, infrastructure);
        }

        int open = 0, overdue = 0, closed = 0, dueToClose = 0, stepsDue = 0, stepsOnTime = 0, reworks = 0;
        foreach (var record in cases.Where(c => c.Status != CaseStatus.Cancelled))
        {
            var isClosed = record.Status is CaseStatus.Closed or CaseStatus.Evaluated;
            var late = record.IsOpen && (record.StepOverdue || record.DisposalOverdue);
            open += record.IsOpen ? 1 : 0;
            overdue += late ? 1 : 0;
            closed += isClosed ? 1 : 0;
            // A case overdue at any step is due and not done: nobody acting must cost as much as acting late.
            dueToClose += isClosed || late ? 1 : 0;
            stepsDue += record.StepsOnTime + record.StepsLate + (record.IsOpen && record.StepOverdue ? 1 : 0);
            stepsOnTime += record.StepsOnTime;
            reworks += record.ReworkCount;
            Add(handling, record.CaseId, record.Title, (late ? 1 : 0) + record.ReworkCount);
        }

        var counters = new AreaCounters(floodSensors, floodSeverity, safetyItems, safetySeverity, deviceCount, deviceTrouble,
            open, overdue, closed, dueToClose, stepsDue, stepsOnTime, reworks);
        return (counters, new IndexReasons(Top(flood), Top(safety), Top(trouble), Top(handling)));
    }

    /// <summary>
    /// An area's counters are its children's summed. Its flood, safety and infrastructure reasons are the children
    /// that weigh most; its case-handling reasons are the cases themselves (overdue, reworked), the heaviest of its
    /// children's, so that a duty operator sees at every level which cases to chase. Each child lists its heaviest
    /// <see cref="ReasonCount"/>, so the heaviest of those are the area's.
    /// </summary>
    public (AreaCounters Counters, IndexReasons Reasons) FromChildren(IReadOnlyCollection<AreaSummary> children)
    {
        var counters = children.Aggregate(AreaCounters.Zero, (sum, child) => sum + child.Counters);
        IReadOnlyList<Contributor> By(Func<AreaCounters, double> weight) =>
            Top(children.Select(c => new Contributor(c.Area.Code, c.Area.Name, weight(c.Counters))).Where(c => c.Weight > 0).ToList());
        return (counters, new IndexReasons(
            By(c => c.FloodSeverity),
            By(c => c.SafetySeverity),
            By(c => c.DeviceTrouble),
            Top(children.SelectMany(c => c.Reasons.CaseHandling).ToList())));
    }

    public VitalSigns Signs(AreaDefinition area, AreaCounters counters, IndexReasons reasons, DateTimeOffset at)
    {
        var flood = Index(counters.FloodSeverity, counters.FloodSensors);
        var safety = Index(counters.SafetySeverity, counters.SafetyItems);
        var infrastructure = Index(counters.DeviceTrouble, counters.Devices);
        var onTimeRate = Rate(counters.StepsOnTime, counters.StepsDue, whenNone: 1);
        var closureRate = Rate(counters.CasesClosed, counters.CasesDueToClose, whenNone: 1);
        var reworkRate = Rate(counters.Reworks, counters.CasesDueToClose, whenNone: 0);
        var caseHandling = 100 * (weights.OnTimeDisposal * onTimeRate + weights.Closure * closureRate + weights.NoRework * (1 - Math.Min(1, reworkRate)));
        var composite = weights.Flood * flood + weights.Safety * safety + weights.Infrastructure * infrastructure + weights.CaseHandling * caseHandling;
        return new VitalSigns(area.Code, area.Name, area.Level, flood, safety, infrastructure, caseHandling, composite,
            new CaseIndicators(onTimeRate, closureRate, reworkRate, counters.CasesOverdue, counters.CasesOpen), counters, reasons, at);
    }

    private static double Index(double severity, int count) => count == 0 ? 100 : 100 * (1 - Math.Min(1, severity / count));

    private static double Rate(int part, int whole, double whenNone) => whole == 0 ? whenNone : (double)part / whole;

    private static void Add(List<Contributor> list, string id, string name, double weight)
    {
        if (weight > 0)
        {
            list.Add(new Contributor(id, name, weight));
        }
    }

    private static IReadOnlyList<Contributor> Top(List<Contributor> contributors) =>
        contributors.OrderByDescending(c => c.Weight).ThenBy(c => c.Id, StringComparer.Ordinal).Take(ReasonCount).ToList();
}
