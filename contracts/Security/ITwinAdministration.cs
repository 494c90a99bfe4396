namespace CityOps.Twin.Contracts.Security;

/// <summary>A user as the administrator sees it: never the password or its hash.</summary>
public sealed record UserView(string Name, IReadOnlyList<TwinRole> Roles, bool Disabled, DateTimeOffset CreatedAt);

/// <summary>An API key as the administrator sees it: never the secret after it was shown once.</summary>
public sealed record KeyView(string Id, string Name, IReadOnlyList<string> Devices, bool Open311, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, string? RevokedBy);

/// <summary>A user or key request refused (a bad name, no roles, a short password, no such user...); says what.</summary>
public sealed class SecurityInputException(string message) : ArgumentException(message);

/// <summary>
/// The administrator's desk: users, API keys and the audit log, for the view and the API alike. Every call is
/// authorized (Admin) and every change audited; a forbidden call is audited and throws
/// <see cref="TwinForbiddenException"/>.
/// </summary>
public interface ITwinAdministration
{
    Task<IReadOnlyList<UserView>> ListUsersAsync(TwinActor actor);

    /// <summary>Creates a user and returns the password to hand over: generated unless given, shown this once.</summary>
    /// <exception cref="SecurityInputException">The name, roles or password are not acceptable, or the name is taken.</exception>
    Task<string> CreateUserAsync(TwinActor actor, string name, IReadOnlyCollection<TwinRole> roles, string? password = null);

    /// <exception cref="SecurityInputException">No such user, or no roles.</exception>
    Task<UserView> SetRolesAsync(TwinActor actor, string name, IReadOnlyCollection<TwinRole> roles);

    /// <exception cref="SecurityInputException">No such user, or disabling the last enabled administrator.</exception>
    Task<UserView> SetDisabledAsync(TwinActor actor, string name, bool disabled);

    /// <summary>Sets a new generated password (returned, shown once) and ends the user's sessions.</summary>
    /// <exception cref="SecurityInputException">No such user.</exception>
    Task<string> ResetPasswordAsync(TwinActor actor, string name);

    Task<IReadOnlyList<KeyView>> ListKeysAsync(TwinActor actor);

    /// <summary>Creates a key for a set of devices (ids, prefixes ending in '*', or '*') and returns its secret, shown this once.</summary>
    /// <exception cref="SecurityInputException">No name, a bad pattern, or neither devices nor Open311.</exception>
    Task<(KeyView Key, string Secret)> CreateKeyAsync(TwinActor actor, string name, IReadOnlyCollection<string> devices, bool open311);

    /// <exception cref="SecurityInputException">No such live key.</exception>
    Task RevokeKeyAsync(TwinActor actor, string id);

    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(TwinActor actor, AuditQuery query);
}
