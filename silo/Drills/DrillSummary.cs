using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// How long one step of many cases took: the nearest-rank 50th and 90th percentiles and the longest, over the
/// <see cref="Count"/> cases that took the step (a case not yet dispatched has no response time, and counts not).
/// </summary>
public sealed record StepTimes(int Count, TimeSpan? P50, TimeSpan? P90, TimeSpan? Max)
{
    public static StepTimes Of(IEnumerable<TimeSpan?> times)
    {
        List<TimeSpan> sorted = [.. times.OfType<TimeSpan>().Order()];
        return sorted.Count == 0 ? new(0, null, null, null) : new(sorted.Count, Percentile(sorted, 0.5), Percentile(sorted, 0.9), sorted[^1]);
    }

    /// <summary>The nearest-rank percentile: the smallest time at least a <paramref name="share"/> of the cases took no longer than.</summary>
    private static TimeSpan Percentile(List<TimeSpan> sorted, double share) => sorted[Math.Max(0, (int)Math.Ceiling(share * sorted.Count) - 1)];
}

/// <summary>The alarms of one sensor kind: how many sensors alarmed, alarms raised from none, every level change, the highest level reached.</summary>
public sealed record AlarmsOfKind(string Kind, int Sensors, int Raised, int Changes, AlarmLevel Highest);

/// <summary>The cases of one source and category: how many, how many went overdue, their response (report to dispatch) and closure (report to closed) times.</summary>
public sealed record CasesOfKind(string Source, string Category, int Count, int Overdue, StepTimes Response, StepTimes Closure);

/// <summary>A mode switch at drill time: to which mode, by whom and why.</summary>
public sealed record ModeLine(TimeSpan At, OperatingMode Operating, EmergencyKind? Kind, ResponseLevel? Level, string By, string Reason);

/// <summary>An index of the city at its lowest in the drill, and when.</summary>
public sealed record IndexLow(TimeSpan At, double Value);

/// <summary>
/// The after-action report at a glance, worked out from the report's own data only (its expected actions, timeline,
/// cases, switches and indices), so every figure can be checked against the lists it sums up.
/// </summary>
public sealed record DrillSummary(
    int ExpectedMet,
    int ExpectedMissed,
    int Proposals,
    int Alarms,
    IReadOnlyList<AlarmsOfKind> AlarmsByKind,
    int Cases,
    int CasesOverdue,
    StepTimes Response,
    StepTimes Closure,
    IReadOnlyList<CasesOfKind> CasesByKind,
    IReadOnlyList<ModeLine> Modes,
    IndexLow? LowestComposite,
    IndexLow? LowestFlood)
{
    /// <summary>Alarms of a sensor the city does not know (none in a drill of the city's own devices) are of this kind.</summary>
    public const string OtherKind = "Other";

    /// <param name="kindOf">The kind of a sensor by its id, from the city the drill copied; the timeline names only the id.</param>
    public static DrillSummary Of(DrillReport report, Func<string, SensorKind?> kindOf)
    {
        var alarms = report.Timeline.Where(e => e.Kind == "alarm" && e.Reference is not null).Select(e => (Sensor: e.Reference!, Change: AlarmChangeOf(e.What))).ToList();
        var alarmsByKind = alarms
            .GroupBy(a => kindOf(a.Sensor)?.ToString() ?? OtherKind)
            .Select(g => new AlarmsOfKind(g.Key, g.Select(a => a.Sensor).Distinct(StringComparer.Ordinal).Count(),
                g.Count(a => a.Change.From == AlarmLevel.None && a.Change.To != AlarmLevel.None), g.Count(), g.Max(a => a.Change.To)))
            .OrderByDescending(k => k.Changes).ThenBy(k => k.Kind, StringComparer.Ordinal).ToList();
        var casesByKind = report.Cases
            .GroupBy(c => (Source: c.Source?.ToString() ?? "—", Category: c.Category ?? "—"))
            .Select(g => new CasesOfKind(g.Key.Source, g.Key.Category, g.Count(), g.Count(c => c.Overdue), StepTimes.Of(g.Select(c => c.DispatchedAfter)), StepTimes.Of(g.Select(c => c.ClosedAfter))))
            .OrderByDescending(k => k.Count).ThenBy(k => k.Source, StringComparer.Ordinal).ThenBy(k => k.Category, StringComparer.Ordinal).ToList();
        var modes = report.ModeSwitches
            .Select(s => new ModeLine(s.At - report.Start, s.To.Operating, s.To.Kind, s.To.Level, s.To.ChangedBy, s.Reason)).ToList();
        IndexLow? Lowest(Func<VitalSignsSample, double> index) =>
            report.Indices.MinBy(index) is { } low ? new IndexLow(low.At - report.Start, index(low)) : null;
        return new DrillSummary(
            report.Expected.Count(e => e.Met),
            report.Expected.Count(e => e.Missed),
            report.Timeline.Count(e => e.Kind == "proposal"),
            alarms.Count,
            alarmsByKind,
            report.Cases.Count,
            report.Cases.Count(c => c.Overdue),
            StepTimes.Of(report.Cases.Select(c => c.DispatchedAfter)),
            StepTimes.Of(report.Cases.Select(c => c.ClosedAfter)),
            casesByKind,
            modes,
            Lowest(s => s.Composite),
            Lowest(s => s.Flood));
    }

    /// <summary>The levels of an alarm line as the drill's recorder notes it: "WL-00100 None → Yellow (18)".</summary>
    public static (AlarmLevel From, AlarmLevel To) AlarmChangeOf(string what)
    {
        // From the arrow, not the start: a sensor id of an imported city may hold a space.
        var arrow = what.LastIndexOf(" → ", StringComparison.Ordinal);
        var before = arrow < 0 ? "" : what[..arrow];
        var after = arrow < 0 ? "" : what[(arrow + 3)..];
        return Enum.TryParse<AlarmLevel>(before[(before.LastIndexOf(' ') + 1)..], out var from) && Enum.TryParse<AlarmLevel>(after.Split(' ')[0], out var to)
            ? (from, to)
            : throw new FormatException($"Not an alarm line of the drill's timeline: '{what}'.");
    }
}
