using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Silo.Security;

/// <summary>Users, keys and the audit log behind the Admin role; every change and every refusal is audited.</summary>
public sealed class TwinAdministration(TwinGuard guard, UserDirectory users, ApiKeyDirectory keys, IAuditLog audit) : ITwinAdministration
{
    public async Task<IReadOnlyList<UserView>> ListUsersAsync(TwinActor actor)
    {
        await guard.AuthorizeAsync(actor, TwinAction.Administer, "user.list", null);
        return await users.ListAsync();
    }

    public async Task<string> CreateUserAsync(TwinActor actor, string name, IReadOnlyCollection<TwinRole> roles, string? password = null)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.Administer, "user.create", name);
        var created = await AuditedAsync(actor, "user.create", name, () => users.CreateAsync(name, roles, password), _ => $"roles {string.Join(",", roles)}");
        return created;
    }

    public async Task<UserView> SetRolesAsync(TwinActor actor, string name, IReadOnlyCollection<TwinRole> roles)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.Administer, "user.roles", name);
        var before = await users.CurrentAsync(name);
        if (before is not null && before.Roles.Contains(TwinRole.Admin) && !roles.Contains(TwinRole.Admin))
        {
            await RequireAnotherAdminAsync(actor, "user.roles", name);
        }
        var after = await AuditedAsync(actor, "user.roles", name, () => users.SetRolesAsync(name, roles), u => null, before is null ? null : string.Join(",", before.Roles), u => string.Join(",", u.Roles));
        return UserDirectory.View(after);
    }

    public async Task<UserView> SetDisabledAsync(TwinActor actor, string name, bool disabled)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.Administer, disabled ? "user.disable" : "user.enable", name);
        if (disabled && (await users.CurrentAsync(name))?.Roles.Contains(TwinRole.Admin) == true)
        {
            await RequireAnotherAdminAsync(actor, "user.disable", name);
        }
        return UserDirectory.View(await AuditedAsync(actor, disabled ? "user.disable" : "user.enable", name, () => users.SetDisabledAsync(name, disabled), _ => null));
    }

    public async Task<string> ResetPasswordAsync(TwinActor actor, string name)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.Administer, "user.password", name);
        var password = Secrets.GeneratePassword();
        await AuditedAsync(actor, "user.password", name, () => users.SetPasswordAsync(name, password), _ => "a new generated password was set");
        return password;
    }

    public async Task<IReadOnlyList<KeyView>> ListKeysAsync(TwinActor actor)
    {
        await guard.AuthorizeAsync(actor, TwinAction.Administer, "key.list", null);
        return await keys.ListAsync();
    }

    public async Task<(KeyView Key, string Secret)> CreateKeyAsync(TwinActor actor, string name, IReadOnlyCollection<string> devices, bool open311)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.Administer, "key.create", name);
        return await AuditedAsync(actor, "key.create", name, () => keys.CreateAsync(name, devices, open311, actor.Name),
            k => $"{k.Key.Id}: devices {string.Join(" ", k.Key.Devices)}{(open311 ? "; open311" : "")}");
    }

    public async Task RevokeKeyAsync(TwinActor actor, string id)
    {
        actor = await guard.AuthorizeAsync(actor, TwinAction.Administer, "key.revoke", id);
        await AuditedAsync(actor, "key.revoke", id, async () => await keys.RevokeAsync(id, actor.Name)
            ? true
            : throw new SecurityInputException($"There is no live API key '{id}' (never created, or revoked already)."), _ => null);
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(TwinActor actor, AuditQuery query)
    {
        await guard.AuthorizeAsync(actor, TwinAction.Administer, "audit.read", null);
        return await audit.ReadAsync(query);
    }

    private async Task RequireAnotherAdminAsync(TwinActor actor, string what, string name)
    {
        var others = (await users.ListAsync()).Count(u => u.Name != name && !u.Disabled && u.Roles.Contains(TwinRole.Admin));
        if (others == 0)
        {
            var refused = new SecurityInputException($"'{name}' is the last enabled administrator; make another user Admin first.");
            await audit.AppendAsync(AuditRecord.Of(actor, what, name, "refused", detail: refused.Message));
            throw refused;
        }
    }

    private async Task<T> AuditedAsync<T>(TwinActor actor, string what, string? target, Func<Task<T>> action, Func<T, string?> detail, string? before = null, Func<T, string?>? after = null)
    {
        T result;
        try
        {
            result = await action();
        }
        catch (SecurityInputException exception)
        {
            await audit.AppendAsync(AuditRecord.Of(actor, what, target, "refused", before, detail: exception.Message));
            throw;
        }
        await audit.AppendAsync(AuditRecord.Of(actor, what, target, "ok", before, after?.Invoke(result), detail(result)));
        return result;
    }

}
