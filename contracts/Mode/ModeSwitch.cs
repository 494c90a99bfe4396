namespace CityOps.Twin.Contracts.Mode;

/// <summary>
/// A commander's switch of the city's mode: to emergency (with its kind, response level and, if not city-wide,
/// the districts it covers) or back to normal; who asks and why. Every switch is audited.
/// </summary>
public sealed record ModeSwitch(OperatingMode To, EmergencyKind? Kind, ResponseLevel? Level, IReadOnlyList<string> Districts, string By, string Reason)
{
    public static ModeSwitch ToNormal(string by, string reason) => new(OperatingMode.Normal, null, null, [], by, reason);
}

/// <summary>One switch as the audit keeps it: from what, to what, by whom (in <see cref="CityMode.ChangedBy"/>), when and why.</summary>
public sealed record ModeChange(CityMode From, CityMode To, string Reason, DateTimeOffset At);

/// <summary>A switch refused: no reason, an emergency without its kind or level, an unknown district, no change; says which. (Who may switch is the Commander role, checked before.)</summary>
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
