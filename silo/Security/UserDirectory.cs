using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Silo.Security;

/// <summary>
/// The users of the view and the API: create (a generated password, shown once), sign-in checks, roles, password
/// changes, disabling. A user's current record is cached for a few seconds, so a role taken away or a user
/// disabled takes effect on the next action within that time, also in an open view.
/// </summary>
public sealed partial class UserDirectory(ISecurityStore store, TimeProvider time)
{
    public const int MinimumPasswordLength = 12;

    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (StoredUser? User, long At)> _cache = new(StringComparer.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9._\\-\\p{L}]{2,64}$")]
    private static partial Regex NamePattern();

    public async Task<IReadOnlyList<UserView>> ListAsync() => [.. (await store.ListUsersAsync()).Select(View)];

    public async Task<bool> AnyAsync() => (await store.ListUsersAsync()).Count > 0;

    /// <summary>Creates a user with a generated password (or the given one) and returns the password: it is not kept anywhere in clear.</summary>
    /// <exception cref="SecurityInputException">The name, roles or password are not acceptable, or the name is taken.</exception>
    public async Task<string> CreateAsync(string name, IReadOnlyCollection<TwinRole> roles, string? password = null)
    {
        name = name?.Trim() ?? "";
        if (!NamePattern().IsMatch(name))
        {
            throw new SecurityInputException($"User name '{name}' is not acceptable: 2 to 64 letters, digits, '.', '_' or '-'.");
        }
        RequireRoles(roles);
        password ??= Secrets.GeneratePassword();
        RequirePassword(password);
        if (!await store.AddUserAsync(new StoredUser(name, [.. roles.Distinct().Order()], Secrets.HashPassword(password), false, time.GetUtcNow())))
        {
            throw new SecurityInputException($"A user named '{name}' exists already.");
        }
        _cache.TryRemove(name, out _);
        return password;
    }

    /// <summary>The user if the name and password match an enabled user; null otherwise (which of the two was wrong is not said).</summary>
    public async Task<StoredUser?> VerifyAsync(string name, string password)
    {
        var user = await store.FindUserAsync(name?.Trim() ?? "");
        // A missing user costs the same hashing time as a wrong password, so the answer's timing does not tell which.
        var hash = user?.PasswordHash ?? DummyHash.Value;
        var matches = Secrets.VerifyPassword(password ?? "", hash);
        return matches && user is { Disabled: false } ? user : null;
    }

    private static readonly Lazy<string> DummyHash = new(() => Secrets.HashPassword(Secrets.GeneratePassword()));

    /// <summary>The user's current record, from a cache of a few seconds.</summary>
    public async Task<StoredUser?> CurrentAsync(string name)
    {
        if (_cache.TryGetValue(name, out var cached) && time.GetElapsedTime(cached.At) < CacheFor)
        {
            return cached.User;
        }
        var user = await store.FindUserAsync(name);
        _cache[name] = (user, time.GetTimestamp());
        return user;
    }

    /// <exception cref="SecurityInputException">No such user, or no roles.</exception>
    public Task<StoredUser> SetRolesAsync(string name, IReadOnlyCollection<TwinRole> roles)
    {
        RequireRoles(roles);
        return UpdateAsync(name, user => user with { Roles = [.. roles.Distinct().Order()] });
    }

    /// <exception cref="SecurityInputException">No such user, or the password is too short.</exception>
    public Task<StoredUser> SetPasswordAsync(string name, string password)
    {
        RequirePassword(password);
        return UpdateAsync(name, user => user with { PasswordHash = Secrets.HashPassword(password) });
    }

    public Task<StoredUser> SetDisabledAsync(string name, bool disabled) => UpdateAsync(name, user => user with { Disabled = disabled });

    private async Task<StoredUser> UpdateAsync(string name, Func<StoredUser, StoredUser> change)
    {
        var user = await store.FindUserAsync(name) ?? throw new SecurityInputException($"There is no user named '{name}'.");
        var changed = change(user);
        await store.UpdateUserAsync(changed);
        _cache.TryRemove(name, out _);
        return changed;
    }

    public static UserView View(StoredUser user) => new(user.Name, user.Roles, user.Disabled, user.CreatedAt);

    private static void RequireRoles(IReadOnlyCollection<TwinRole> roles)
    {
        if (roles.Count == 0 || roles.Any(r => !Enum.IsDefined(r)))
        {
            throw new SecurityInputException($"A user needs one or more roles of {string.Join(", ", Enum.GetNames<TwinRole>())}.");
        }
    }

    private static void RequirePassword(string password)
    {
        if (password is null || password.Length < MinimumPasswordLength)
        {
            throw new SecurityInputException($"A password needs at least {MinimumPasswordLength} characters.");
        }
    }
}

/// <summary>
/// Ingestion API keys: created with their devices (shown once, stored as a hash), found by the presented secret
/// (cached for a few seconds; a revoke in this silo takes effect at once), revoked.
/// </summary>
public sealed class ApiKeyDirectory(ISecurityStore store, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (StoredKey? Key, long At)> _cache = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<KeyView>> ListAsync() => [.. (await store.ListKeysAsync()).Select(View)];

    /// <summary>Creates a key and returns it with its secret, which is not kept anywhere in clear.</summary>
    /// <exception cref="SecurityInputException">No name, or neither devices nor Open311.</exception>
    public async Task<(KeyView Key, string Secret)> CreateAsync(string name, IReadOnlyCollection<string> devices, bool open311, string createdBy)
    {
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 128)
        {
            throw new SecurityInputException("An API key needs a name of 1 to 128 characters (what device set or system uses it).");
        }
        var patterns = devices.Select(d => d?.Trim() ?? "").Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (patterns.FirstOrDefault(p => p.Length > 128 || p.IndexOf('*') is >= 0 and var star && star != p.Length - 1) is { } bad)
        {
            throw new SecurityInputException($"Device pattern '{bad}' is not acceptable: a device id, a prefix ending in '*', or '*' for every device.");
        }
        if (patterns.Count == 0 && !open311)
        {
            throw new SecurityInputException("An API key needs devices (ids, prefixes ending in '*', or '*') or the Open311 permission.");
        }
        var secret = Secrets.GenerateKey();
        var key = new StoredKey("key-" + Secrets.HashKey(secret)[..10], name, patterns, open311, Secrets.HashKey(secret), time.GetUtcNow(), createdBy);
        await store.AddKeyAsync(key);
        return (View(key), secret);
    }

    /// <summary>The live (not revoked) key with this secret, or null.</summary>
    public async Task<StoredKey?> FindAsync(string secret)
    {
        var hash = Secrets.HashKey(secret);
        if (!_cache.TryGetValue(hash, out var cached) || time.GetElapsedTime(cached.At) >= CacheFor)
        {
            cached = (await store.FindKeyByHashAsync(hash), time.GetTimestamp());
            // Unknown secrets are not cached: someone trying many would fill the cache.
            if (cached.Key is not null)
            {
                _cache[hash] = cached;
            }
        }
        return cached.Key is { Revoked: false } key ? key : null;
    }

    /// <returns>False if there is no such live key.</returns>
    public async Task<bool> RevokeAsync(string id, string by)
    {
        var revoked = await store.RevokeKeyAsync(id, time.GetUtcNow(), by);
        foreach (var (hash, entry) in _cache)
        {
            if (entry.Key?.Id == id)
            {
                _cache.TryRemove(hash, out _);
            }
        }
        return revoked;
    }

    private static KeyView View(StoredKey key) => new(key.Id, key.Name, key.Devices, key.Open311, key.CreatedAt, key.CreatedBy, key.RevokedAt, key.RevokedBy);
}
