using System.Data.Common;

namespace CityOps.Twin.Runtime.Persistence;

/// <summary>
/// Grain state in the grain_state table. Every write names the version it read: an INSERT for version 0,
/// an UPDATE ... WHERE version = @expected otherwise; no row changed means someone else wrote first. The SQL
/// is the same on SQLite and PostgreSQL. Single writes and clears go through <see cref="GroupCommit"/>.
/// </summary>
public sealed class RelationalGrainStorage : IGrainStorage, IAsyncDisposable
{
    private readonly RelationalDatabase _database;
    private readonly TimeProvider _time;
    private readonly GroupCommit _commits;

    public RelationalGrainStorage(RelationalDatabase database, TimeProvider time, string name = PersistentStateAttribute.DefaultStorage)
    {
        _database = database;
        _time = time;
        Name = name;
        _commits = new GroupCommit(database, (connection, transaction, write, cancellationToken) =>
            WriteAsync(connection, transaction, write.Key, write.Payload, write.ExpectedVersion, cancellationToken));
    }

    private const string SelectSql =
        "SELECT version, payload FROM grain_state WHERE grain_type = @grain_type AND grain_key = @grain_key AND state_name = @state_name";

    private const string InsertSql =
        "INSERT INTO grain_state (grain_type, grain_key, state_name, version, payload, modified_at) " +
        "VALUES (@grain_type, @grain_key, @state_name, 1, @payload, @modified_at) ON CONFLICT DO NOTHING";

    private const string UpdateSql =
        "UPDATE grain_state SET version = version + 1, payload = @payload, modified_at = @modified_at " +
        "WHERE grain_type = @grain_type AND grain_key = @grain_key AND state_name = @state_name AND version = @version";

    public string Name { get; }

    public async Task<GrainStateRecord?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken = default)
    {
        await using var lease = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadAsync(lease.Connection, null, key, cancellationToken).ConfigureAwait(false);
    }

    public Task<long> WriteAsync(GrainStateKey key, string payload, long expectedVersion, CancellationToken cancellationToken = default) =>
        _commits.WriteAsync(key, payload, expectedVersion);

    public async Task<long> ClearAsync(GrainStateKey key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        if (expectedVersion != 0)
        {
            return await _commits.WriteAsync(key, null, expectedVersion).ConfigureAwait(false);
        }
        var existing = await ReadAsync(key, cancellationToken).ConfigureAwait(false);
        return existing is null ? 0 : throw new InconsistentStateException(key, expectedVersion, existing.Version);
    }

    public ValueTask DisposeAsync() => _commits.DisposeAsync();

    public async Task<IReadOnlyList<GrainStateWriteResult>> WriteManyAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken = default)
    {
        var results = new GrainStateWriteResult[writes.Count];
        await using var lease = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await lease.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            try
            {
                results[i] = new GrainStateWriteResult(
                    await WriteAsync(lease.Connection, transaction, write.Key, write.Payload, write.ExpectedVersion, cancellationToken).ConfigureAwait(false), null);
            }
            catch (InconsistentStateException conflict)
            {
                results[i] = new GrainStateWriteResult(0, conflict);
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    private async Task<long> WriteAsync(DbConnection connection, DbTransaction? transaction, GrainStateKey key, string? payload, long expectedVersion, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = expectedVersion == 0 ? InsertSql : UpdateSql;
        AddKey(command, key);
        command.AddParameter("payload", payload);
        command.AddParameter("modified_at", _time.GetUtcNow().ToUnixTimeMilliseconds());
        if (expectedVersion != 0)
        {
            command.AddParameter("version", expectedVersion);
        }

        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
        {
            return expectedVersion + 1;
        }

        var stored = await ReadAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
        throw new InconsistentStateException(key, expectedVersion, stored?.Version ?? 0);
    }

    private static async Task<GrainStateRecord?> ReadAsync(DbConnection connection, DbTransaction? transaction, GrainStateKey key, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SelectSql;
        AddKey(command, key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        return new GrainStateRecord(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    private static void AddKey(DbCommand command, GrainStateKey key)
    {
        command.AddParameter("grain_type", key.GrainType);
        command.AddParameter("grain_key", key.GrainKey);
        command.AddParameter("state_name", key.StateName);
    }
}
