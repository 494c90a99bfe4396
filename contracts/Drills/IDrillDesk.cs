namespace CityOps.Twin.Contracts.Drills;

/// <summary>A running (or finished) drill as the drill controller sees it; all times are drill time.</summary>
public sealed record DrillStatus(
    string Name,
    TimeSpan Elapsed,
    TimeSpan Duration,
    double Speed,
    bool Paused,
    bool Finished,
    string Mode,
    int Alarms,
    int Cases,
    IReadOnlyList<DrillLine> Recent,
    IReadOnlyList<DrillExpectation> Expected,
    string? Failure,
    bool Preparing = false)
{
    /// <summary>preparing (the city's copy is being filed), running, paused or finished.</summary>
    public string State => Finished ? "finished" : Preparing ? "preparing" : Paused ? "paused" : "running";
}

public sealed record DrillLine(TimeSpan At, string Kind, string What);

/// <summary>An expected action as it stands: pending until the drill ends or it is met.</summary>
public sealed record DrillExpectation(string Id, string Action, TimeSpan Within, bool Met, TimeSpan? Delay, string Detail);

/// <summary>A hand inject by the drill controller: people trapped in a lift, or a sensor reading.</summary>
public sealed record HandInject(string Kind, string Device, double? Value);

/// <summary>
/// The drill controller's desk: one drill at a time, against a copy of the city (never the live twin), on a drill
/// clock from 1x to 600x that can be paused; injects by hand during the run; the after-action report at the end.
/// </summary>
public interface IDrillDesk
{
    /// <summary>The scenarios that can be started: the built-in ones and any in the drills folder.</summary>
    IReadOnlyList<string> Scenarios { get; }

    /// <summary>The current or last drill; null before the first.</summary>
    DrillStatus? Current { get; }

    /// <summary>Raised when the drill moves on (at most a few times a second of real time); handlers must only take note.</summary>
    event Action? Changed;

    /// <exception cref="InvalidOperationException">A drill is running already, or the scenario cannot be read (the message says where).</exception>
    Task StartAsync(string scenario, double speed);

    void SetSpeed(double speed);

    void Pause();

    void Resume();

    /// <exception cref="ArgumentException">The inject names no such device or lacks its value.</exception>
    Task InjectAsync(HandInject inject);

    /// <summary>The last finished drill's report as HTML, or null.</summary>
    string? ReportHtml { get; }
}
