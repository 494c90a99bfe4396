namespace CityOps.Twin.Contracts.Mode;

/// <summary>
/// A commander's switch of the city's mode: to emergency (with its kind, response level and, if not city-wide,
/// the districts it covers) or back to normal; who asks and why. Every switch is audited.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Mode.ModeSwitch")]
public sealed record ModeSwitch(
    [property: Id(0)] OperatingMode To,
    [property: Id(1)] EmergencyKind? Kind,
    [property: Id(2)] ResponseLevel? Level,
    [property: Id(3)] IReadOnlyList<string> Districts,
    [property: Id(4)] string By,
    [property: Id(5)] string Reason)
{
    public static ModeSwitch ToNormal(string by, string reason) => new(OperatingMode.Normal, null, null, [], by, reason);
}

/// <summary>One switch as the audit keeps it: from what, to what, by whom (in <see cref="CityMode.ChangedBy"/>), when and why.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Mode.ModeChange")]
public sealed record ModeChange(
    [property: Id(0)] CityMode From,
    [property: Id(1)] CityMode To,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset At);

/// <summary>A switch refused: no reason, an emergency without its kind or level, an unknown district, no change; says which. (Who may switch is the Commander role, checked before.)</summary>
[GenerateSerializer, Alias("CityOps.Mode.ModeSwitchException")]
public sealed class ModeSwitchException(string message) : ArgumentException(message);

/// <summary>A switch the twin proposes when the flood index crosses a configured level: a commander confirms it; it never switches by itself.</summary>
public sealed record ModeProposal(EmergencyKind Kind, ResponseLevel Level, double FloodIndex, string Why, DateTimeOffset At);

/// <summary>
/// Switches the city between normal operations and emergency command: checks the commander and the districts,
/// records the switch in the city's mode grain and carries it to every sensor at once. The view and the HTTP
/// API both switch through it.
/// </summary>
public interface IModeSwitchboard
{
    /// <exception cref="ModeSwitchException">The switch is refused; the message says why.</exception>
    Task<ModeChange> SwitchAsync(ModeSwitch request);

    /// <summary>The switch the twin proposes now, if any (gone once a commander switches, or when the flood index recovers).</summary>
    ModeProposal? Proposal { get; }

    /// <summary>Raised when <see cref="Proposal"/> changes; handlers must only take note.</summary>
    event Action? ProposalChanged;

    /// <summary>Who a case in the grid is dispatched to by default now: the grid's team, or in emergency the kind's emergency team.</summary>
    Task<string?> DispatchTargetAsync(string gridCode);
}
