using CityOps.Twin.Silo.Storage;
using System.Data.Common;
using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Silo.Security;

/// <summary>A user of the view and the API: a name, roles, a password hash; disabled users cannot sign in.</summary>
public sealed record StoredUser(string Name, IReadOnlyList<TwinRole> Roles, string PasswordHash, bool Disabled, DateTimeOffset CreatedAt)
{
    /// <summary>What a signed-in session was issued against; a change (roles, password, disabled) ends the session.</summary>
    public string Stamp => Secrets.HashKey($"{string.Join(',', Roles)}|{PasswordHash}|{Disabled}")[..16];
}

/// <summary>
/// An ingestion API key: its devices (exact ids, prefixes ending in '*', or '*' for every device), whether it may
/// open Open311 service requests, the SHA-256 of its secret, and when and by whom it was revoked.
/// </summary>
public sealed record StoredKey(
    string Id, string Name, IReadOnlyList<string> Devices, bool Open311, string SecretHash, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? RevokedAt = null, string? RevokedBy = null)
{
    public bool Revoked => RevokedAt is not null;

    public bool Covers(string deviceId) => Devices.Any(pattern => pattern == "*"
        || (pattern.EndsWith('*') && deviceId.StartsWith(pattern[..^1], StringComparison.Ordinal))
        || pattern == deviceId);
}

/// <summary>Where users, API keys and the audit log are kept: the twin's database, or memory with in-memory storage.</summary>
public interface ISecurityStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<StoredUser?> FindUserAsync(string name);

    Task<IReadOnlyList<StoredUser>> ListUsersAsync();

    /// <returns>False if a user of that name exists.</returns>
    Task<bool> AddUserAsync(StoredUser user);

    Task UpdateUserAsync(StoredUser user);

    Task AddKeyAsync(StoredKey key);

    Task<StoredKey?> FindKeyByHashAsync(string secretHash);

    Task<IReadOnlyList<StoredKey>> ListKeysAsync();

    Task<bool> RevokeKeyAsync(string id, DateTimeOffset at, string by);

    /// <summary>Appends the lines in one transaction, in order. There is no way to change or remove a line.</summary>
    Task AppendAuditAsync(IReadOnlyList<(DateTimeOffset At, AuditRecord Record)> lines);

    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(AuditQuery query);
}

/// <summary>
/// Users, keys and the audit log in the twin's database (SQLite or PostgreSQL), in tables beside grain state.
/// The audit table is append-only in the database itself: triggers refuse any UPDATE or DELETE of a line (and on
/// PostgreSQL a TRUNCATE), whoever sends it.
/// </summary>
public sealed class RelationalSecurityStore(TwinDatabase database) : ISecurityStore
{
    public const string AppendOnlyMessage = "the audit log is append-only";

    private bool Postgres => database.Kind == Storage.StorageKind.PostgreSql;

    public Task InitializeAsync(CancellationToken cancellationToken) => database.ApplySchemaAsync(Schema(), cancellationToken);

    private IEnumerable<string> Schema()
    {
        yield return """
            CREATE TABLE IF NOT EXISTS twin_user (
                name          VARCHAR(64)  NOT NULL PRIMARY KEY,
                roles         VARCHAR(256) NOT NULL,
                password_hash VARCHAR(256) NOT NULL,
                disabled      INTEGER      NOT NULL,
                created_at    BIGINT       NOT NULL)
            """;
        yield return """
            CREATE TABLE IF NOT EXISTS twin_api_key (
                id          VARCHAR(32)  NOT NULL PRIMARY KEY,
                name        VARCHAR(128) NOT NULL,
                devices     TEXT         NOT NULL,
                open311     INTEGER      NOT NULL,
                secret_hash VARCHAR(64)  NOT NULL UNIQUE,
                created_at  BIGINT       NOT NULL,
                created_by  VARCHAR(64)  NOT NULL,
                revoked_at  BIGINT       NULL,
                revoked_by  VARCHAR(64)  NULL)
            """;
        var sequence = Postgres ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
        yield return $"""
            CREATE TABLE IF NOT EXISTS twin_audit (
                seq          {sequence},
                at           BIGINT        NOT NULL,
                actor        VARCHAR(128)  NOT NULL,
                roles        VARCHAR(256)  NOT NULL,
                channel      VARCHAR(16)   NOT NULL,
                address      VARCHAR(64)   NULL,
                action       VARCHAR(64)   NOT NULL,
                target       VARCHAR(256)  NULL,
                outcome      VARCHAR(16)   NOT NULL,
                before_state TEXT          NULL,
                after_state  TEXT          NULL,
                detail       TEXT          NULL)
            """;
        if (Postgres)
        {
            yield return $"""
                CREATE OR REPLACE FUNCTION twin_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '{AppendOnlyMessage}'; END $$
                """;
            yield return "CREATE OR REPLACE TRIGGER twin_audit_no_change BEFORE UPDATE OR DELETE ON twin_audit FOR EACH ROW EXECUTE FUNCTION twin_audit_append_only()";
            yield return "CREATE OR REPLACE TRIGGER twin_audit_no_truncate BEFORE TRUNCATE ON twin_audit FOR EACH STATEMENT EXECUTE FUNCTION twin_audit_append_only()";
        }
        else
        {
            yield return $"CREATE TRIGGER IF NOT EXISTS twin_audit_no_update BEFORE UPDATE ON twin_audit BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END";
            yield return $"CREATE TRIGGER IF NOT EXISTS twin_audit_no_delete BEFORE DELETE ON twin_audit BEGIN SELECT RAISE(ABORT, '{AppendOnlyMessage}'); END";
        }
    }

    public async Task<StoredUser?> FindUserAsync(string name) =>
        (await QueryAsync("SELECT name, roles, password_hash, disabled, created_at FROM twin_user WHERE name = @name", ReadUser, ("@name", name))).FirstOrDefault();

    public Task<IReadOnlyList<StoredUser>> ListUsersAsync() =>
        QueryAsync("SELECT name, roles, password_hash, disabled, created_at FROM twin_user ORDER BY name", ReadUser);

    public async Task<bool> AddUserAsync(StoredUser user)
    {
        var conflict = Postgres ? "ON CONFLICT (name) DO NOTHING" : "ON CONFLICT(name) DO NOTHING";
        return await ExecuteAsync($"INSERT INTO twin_user (name, roles, password_hash, disabled, created_at) VALUES (@name, @roles, @hash, @disabled, @created) {conflict}",
            ("@name", user.Name), ("@roles", string.Join(',', user.Roles)), ("@hash", user.PasswordHash), ("@disabled", user.Disabled ? 1 : 0),
            ("@created", user.CreatedAt.ToUnixTimeMilliseconds())) == 1;
    }

    public Task UpdateUserAsync(StoredUser user) =>
        ExecuteAsync("UPDATE twin_user SET roles = @roles, password_hash = @hash, disabled = @disabled WHERE name = @name",
            ("@name", user.Name), ("@roles", string.Join(',', user.Roles)), ("@hash", user.PasswordHash), ("@disabled", user.Disabled ? 1 : 0));

    public Task AddKeyAsync(StoredKey key) =>
        ExecuteAsync("INSERT INTO twin_api_key (id, name, devices, open311, secret_hash, created_at, created_by) VALUES (@id, @name, @devices, @open311, @hash, @created, @by)",
            ("@id", key.Id), ("@name", key.Name), ("@devices", string.Join('\n', key.Devices)), ("@open311", key.Open311 ? 1 : 0), ("@hash", key.SecretHash),
            ("@created", key.CreatedAt.ToUnixTimeMilliseconds()), ("@by", key.CreatedBy));

    private const string KeyColumns = "id, name, devices, open311, secret_hash, created_at, created_by, revoked_at, revoked_by";

    public async Task<StoredKey?> FindKeyByHashAsync(string secretHash) =>
        (await QueryAsync($"SELECT {KeyColumns} FROM twin_api_key WHERE secret_hash = @hash", ReadKey, ("@hash", secretHash))).FirstOrDefault();

    public Task<IReadOnlyList<StoredKey>> ListKeysAsync() => QueryAsync($"SELECT {KeyColumns} FROM twin_api_key ORDER BY created_at, id", ReadKey);

    public async Task<bool> RevokeKeyAsync(string id, DateTimeOffset at, string by) =>
        await ExecuteAsync("UPDATE twin_api_key SET revoked_at = @at, revoked_by = @by WHERE id = @id AND revoked_at IS NULL",
            ("@id", id), ("@at", at.ToUnixTimeMilliseconds()), ("@by", by)) == 1;

    public async Task AppendAuditAsync(IReadOnlyList<(DateTimeOffset At, AuditRecord Record)> lines)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var transaction = await TwinDatabase.BeginWriteAsync(connection, CancellationToken.None);
        foreach (var (at, record) in lines)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO twin_audit (at, actor, roles, channel, address, action, target, outcome, before_state, after_state, detail)
                VALUES (@at, @actor, @roles, @channel, @address, @action, @target, @outcome, @before, @after, @detail)
                """;
            command.AddParameter("@at", at.ToUnixTimeMilliseconds());
            command.AddParameter("@actor", record.Actor);
            command.AddParameter("@roles", record.Roles);
            command.AddParameter("@channel", record.Channel);
            command.AddParameter("@address", record.Address);
            command.AddParameter("@action", record.Action);
            command.AddParameter("@target", record.Target);
            command.AddParameter("@outcome", record.Outcome);
            command.AddParameter("@before", record.Before);
            command.AddParameter("@after", record.After);
            command.AddParameter("@detail", record.Detail);
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(AuditQuery query)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)> { ("@count", (long)Math.Clamp(query.Count, 1, 100_000)) };
        if (query.Before is { } before)
        {
            where.Add("seq < @before");
            parameters.Add(("@before", before));
        }
        if (!string.IsNullOrEmpty(query.Actor))
        {
            where.Add("actor = @actor");
            parameters.Add(("@actor", query.Actor));
        }
        if (!string.IsNullOrEmpty(query.Action))
        {
            where.Add("action LIKE @action");
            parameters.Add(("@action", query.Action + "%"));
        }
        var filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        return QueryAsync(
            $"SELECT seq, at, actor, roles, channel, address, action, target, outcome, before_state, after_state, detail FROM twin_audit {filter} ORDER BY seq DESC LIMIT @count",
            r => new AuditEntry(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), new AuditRecord(
                r.GetString(2), r.GetString(3), r.GetString(4), Text(r, 5), r.GetString(6), Text(r, 7), r.GetString(8), Text(r, 9), Text(r, 10), Text(r, 11))),
            [.. parameters]);
    }

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static StoredUser ReadUser(DbDataReader r) => new(
        r.GetString(0), ParseRoles(r.GetString(1)), r.GetString(2), r.GetInt32(3) != 0, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)));

    private static StoredKey ReadKey(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2).Split('\n', StringSplitOptions.RemoveEmptyEntries), r.GetInt32(3) != 0, r.GetString(4),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)), r.GetString(6),
        r.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)), Text(r, 8));

    internal static IReadOnlyList<TwinRole> ParseRoles(string roles) =>
        [.. roles.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => Enum.TryParse<TwinRole>(r, out var role) ? (TwinRole?)role : null).OfType<TwinRole>()];

    private async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.AddParameter(name, value);
        }
        return await command.ExecuteNonQueryAsync();
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.AddParameter(name, value);
        }
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}

/// <summary>The same, in memory, for a silo with in-memory storage: gone when the process ends, like its grains.</summary>
public sealed class MemorySecurityStore : ISecurityStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StoredUser> _users = new(StringComparer.Ordinal);
    private readonly List<StoredKey> _keys = [];
    private readonly List<AuditEntry> _audit = [];

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<StoredUser?> FindUserAsync(string name)
    {
        lock (_lock)
        {
            return Task.FromResult(_users.GetValueOrDefault(name));
        }
    }

    public Task<IReadOnlyList<StoredUser>> ListUsersAsync()
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<StoredUser>>([.. _users.Values.OrderBy(u => u.Name, StringComparer.Ordinal)]);
        }
    }

    public Task<bool> AddUserAsync(StoredUser user)
    {
        lock (_lock)
        {
            return Task.FromResult(_users.TryAdd(user.Name, user));
        }
    }

    public Task UpdateUserAsync(StoredUser user)
    {
        lock (_lock)
        {
            if (_users.ContainsKey(user.Name))
            {
                _users[user.Name] = user;
            }
            return Task.CompletedTask;
        }
    }

    public Task AddKeyAsync(StoredKey key)
    {
        lock (_lock)
        {
            _keys.Add(key);
            return Task.CompletedTask;
        }
    }

    public Task<StoredKey?> FindKeyByHashAsync(string secretHash)
    {
        lock (_lock)
        {
            return Task.FromResult(_keys.FirstOrDefault(k => k.SecretHash == secretHash));
        }
    }

    public Task<IReadOnlyList<StoredKey>> ListKeysAsync()
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<StoredKey>>([.. _keys]);
        }
    }

    public Task<bool> RevokeKeyAsync(string id, DateTimeOffset at, string by)
    {
        lock (_lock)
        {
            var index = _keys.FindIndex(k => k.Id == id && !k.Revoked);
            if (index < 0)
            {
                return Task.FromResult(false);
            }
            _keys[index] = _keys[index] with { RevokedAt = at, RevokedBy = by };
            return Task.FromResult(true);
        }
    }

    public Task AppendAuditAsync(IReadOnlyList<(DateTimeOffset At, AuditRecord Record)> lines)
    {
        lock (_lock)
        {
            foreach (var (at, record) in lines)
            {
                _audit.Add(new AuditEntry(_audit.Count + 1, at, record));
            }
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(AuditQuery query)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<AuditEntry>>([.. Enumerable.Reverse(_audit)
                .Where(e => query.Before is not { } before || e.Sequence < before)
                .Where(e => string.IsNullOrEmpty(query.Actor) || e.Record.Actor == query.Actor)
                .Where(e => string.IsNullOrEmpty(query.Action) || e.Record.Action.StartsWith(query.Action, StringComparison.Ordinal))
                .Take(Math.Clamp(query.Count, 1, 100_000))]);
        }
    }
}
