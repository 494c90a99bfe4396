namespace CityOps.Twin.Grains.History;

/// <summary>What kind of change a history event is; the API's <c>kind</c> filter names them in lower case.</summary>
public enum HistoryEventKind
{
    /// <summary>A sensor's alarm level changed (From, To: levels; Value: the reading that moved it).</summary>
    Alarm,

    /// <summary>A case moved a step (From, To: statuses; Actor; Note: the step).</summary>
    Case,

    /// <summary>The city's mode was switched (From, To: the modes; Actor: the commander; Note: the reason).</summary>
    Mode,

    /// <summary>A camera went online or offline, or detected something (To: online, offline or the detection; Value: its confidence).</summary>
    Camera,

    /// <summary>An elevator's status changed (From, To: statuses; Actor: who reported it).</summary>
    Elevator,
}

/// <summary>
/// One change as the history keeps it: when, what kind, whose (a device, a case, or the city for a switch), in which
/// grid (none for a switch), from what to what, with the reading or confidence, who did it and a note.
/// </summary>
public sealed record HistoryEvent(
    DateTimeOffset At,
    HistoryEventKind Kind,
    string Subject,
    string? GridCode,
    string? From,
    string? To,
    double? Value = null,
    string? Actor = null,
    string? Note = null);
