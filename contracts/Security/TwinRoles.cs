namespace CityOps.Twin.Contracts.Security;

/// <summary>What a person at the operations centre does; a user holds one or more.</summary>
public enum TwinRole
{
    /// <summary>Reads the vital-sign indices and the map (领导).</summary>
    Leader,

    /// <summary>Works the case queue (值班员).</summary>
    Operator,

    /// <summary>Switches the city's mode and directs drills (指挥长).</summary>
    Commander,

    /// <summary>Runs drills and injects events into them (导调员).</summary>
    DrillController,

    /// <summary>Users, API keys, configuration and the audit log (管理员).</summary>
    Admin,
}

/// <summary>The classes of action the twin authorizes; every state-changing action belongs to one.</summary>
public enum TwinAction
{
    /// <summary>Read the map, indices, cases and devices: every signed-in user.</summary>
    ReadIndices,

    /// <summary>Report a case and take its steps.</summary>
    WorkCases,

    /// <summary>平急切换: switch the city between normal and emergency command.</summary>
    SwitchMode,

    /// <summary>Pause, resume and set the speed of a running drill.</summary>
    DirectDrill,

    /// <summary>Start a drill and inject events into it.</summary>
    RunDrill,

    /// <summary>Users, API keys, the audit log.</summary>
    Administer,
}

/// <summary>Which roles may take which class of action: the one table the API and the view both check.</summary>
public static class TwinPermissions
{
    public static IReadOnlyList<TwinRole> RolesFor(TwinAction action) => action switch
    {
        TwinAction.ReadIndices => Enum.GetValues<TwinRole>(),
        TwinAction.WorkCases => [TwinRole.Operator],
        TwinAction.SwitchMode => [TwinRole.Commander],
        TwinAction.DirectDrill => [TwinRole.Commander, TwinRole.DrillController],
        TwinAction.RunDrill => [TwinRole.DrillController],
        TwinAction.Administer => [TwinRole.Admin],
        _ => [],
    };

    public static bool Allows(IEnumerable<TwinRole> roles, TwinAction action) => roles.Any(RolesFor(action).Contains);
}

/// <summary>Who acts: a signed-in user (through the view or the API) or an API key; where from, for the audit.</summary>
public sealed record TwinActor(string Name, IReadOnlyList<TwinRole> Roles, string? Address, string Channel)
{
    /// <summary>The actor a signed-in principal stands for: its name and role claims, as signed in (the server checks the current roles).</summary>
    public static TwinActor Of(System.Security.Claims.ClaimsPrincipal user, string? address, string channel) => new(
        user.Identity?.Name ?? "anonymous",
        [.. user.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => Enum.TryParse<TwinRole>(c.Value, out var role) ? (TwinRole?)role : null).OfType<TwinRole>()],
        address,
        channel);

    public bool Can(TwinAction action) => TwinPermissions.Allows(Roles, action);

    public string RoleList => Roles.Count == 0 ? "-" : string.Join(",", Roles);
}

/// <summary>
/// An action the actor may not take: its roles do not allow it, or (<paramref name="account"/>) its account does not
/// (disabled, or removed), whatever roles it holds. It has been audited; the API answers 403.
/// </summary>
public sealed class TwinForbiddenException(TwinActor actor, TwinAction action, string? account = null)
    : UnauthorizedAccessException(account is null
        ? $"{actor.Name} ({actor.RoleList}) may not {Describe(action)}: that needs the role {string.Join(" or ", TwinPermissions.RolesFor(action))}."
        : $"{actor.Name} may not {Describe(action)}: {account}.")
{
    public TwinActor Actor { get; } = actor;

    public TwinAction Action { get; } = action;

    private static string Describe(TwinAction action) => action switch
    {
        TwinAction.WorkCases => "work cases",
        TwinAction.SwitchMode => "switch the city's mode",
        TwinAction.DirectDrill => "direct a drill",
        TwinAction.RunDrill => "run or inject a drill",
        TwinAction.Administer => "administer users, keys or the audit log",
        _ => "read the twin",
    };
}

/// <summary>
/// A state change that could not be made durable (the database is unreachable, or another silo changed the same
/// record): nothing was recorded and nothing was acknowledged; the message says what to do. The API answers 503;
/// a grain throws it, so it is serializable and reaches the caller as itself, with its cause.
/// </summary>
[GenerateSerializer, Alias("CityOps.Security.TwinNotDurableException")]
public sealed class TwinNotDurableException(string message, Exception? cause = null) : Exception(message, cause);

/// <summary>The channels an actor comes through, as the audit log names them.</summary>
public static class TwinChannels
{
    public const string View = "view";
    public const string Api = "api";
    public const string Key = "key";
    public const string System = "system";
}
