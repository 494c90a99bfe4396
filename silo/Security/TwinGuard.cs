using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Silo.Security;

/// <summary>
/// Authorizes an action on the server: a signed-in user's roles are read from the user directory at the moment of
/// the action (not from a session that may be hours old), so a role taken away or a user disabled loses its
/// rights within seconds, also in an open view. A forbidden action is audited before it is refused.
/// </summary>
public sealed class TwinGuard(UserDirectory users, IAuditLog audit)
{
    /// <returns>The actor with its current roles.</returns>
    /// <exception cref="TwinForbiddenException">The roles do not allow the action; it has been audited.</exception>
    public async Task<TwinActor> AuthorizeAsync(TwinActor actor, TwinAction action, string what, string? target)
    {
        string? account = null;
        if (actor.Channel is TwinChannels.View or TwinChannels.Api)
        {
            var user = await users.CurrentAsync(actor.Name);
            actor = actor with { Roles = user is { Disabled: false } ? user.Roles : [] };
            // Without this, a disabled user would be told they lack a role they hold.
            account = user is null ? "the account no longer exists" : user.Disabled ? "the account is disabled (an administrator can enable it)" : null;
        }
        if (!actor.Can(action))
        {
            var forbidden = new TwinForbiddenException(actor, action, account);
            await audit.AppendAsync(AuditRecord.Of(actor, what, target, "forbidden", detail: forbidden.Message));
            throw forbidden;
        }
        return actor;
    }
}
