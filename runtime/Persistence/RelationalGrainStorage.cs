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

    /// <summary>
    /// Writes in transactions of at most <see cref="ChunkSize"/> states, each through two prepared commands, on a
    /// background connection let go between chunks: a write-through commit or a grain's read on activation goes
    /// before the next chunk, so it waits for one chunk at most, never for a whole write-behind cycle of a busy city. A chunk that fails (the store went away)
    /// fails its own writes, with the error; the chunks committed before it stand.
    /// </summary>
    public async Task<IReadOnlyList<GrainStateWriteResult>> WriteManyAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken = default)
    {
        var results = new GrainStateWriteResult[writes.Count];
        for (var chunk = 0; chunk < writes.Count; chunk += ChunkSize)
        {
            var end = Math.Min(writes.Count, chunk + ChunkSize);
            try
            {
                await WriteChunkAsync(writes, chunk, end, results, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The chunk's transaction rolled back: none of its writes happened, whatever each one did inside it.
                for (var i = chunk; i < end; i++)
                {
                    results[i] = new GrainStateWriteResult(0, exception);
                }
            }
        }
        return results;
    }

    /// <summary>States a write-behind transaction holds at most.</summary>
    public const int ChunkSize = 250;

    private async Task WriteChunkAsync(IReadOnlyList<GrainStateWrite> writes, int from, int to, GrainStateWriteResult[] results, CancellationToken cancellationToken)
    {
        await using var lease = await _database.OpenForBackgroundAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await lease.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (lease.Connection.CanCreateBatch)
        {
            await WriteChunkAsBatchAsync(lease.Connection, transaction, writes, from, to, results, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        await using var insert = Prepare(lease.Connection, transaction, InsertSql);
        await using var update = Prepare(lease.Connection, transaction, UpdateSql);
        var modifiedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = from; i < to; i++)
        {
            var write = writes[i];
            var command = write.ExpectedVersion == 0 ? insert : update;
            command.Parameters["grain_type"].Value = write.Key.GrainType;
            command.Parameters["grain_key"].Value = write.Key.GrainKey;
            command.Parameters["state_name"].Value = write.Key.StateName;
            command.Parameters["payload"].Value = (object?)write.Payload ?? DBNull.Value;
            command.Parameters["modified_at"].Value = modifiedAt;
            if (write.ExpectedVersion != 0)
            {
                command.Parameters["version"].Value = write.ExpectedVersion;
            }

            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                results[i] = new GrainStateWriteResult(write.ExpectedVersion + 1, null);
                continue;
            }
            var stored = await ReadAsync(lease.Connection, transaction, write.Key, cancellationToken).ConfigureAwait(false);
            results[i] = new GrainStateWriteResult(0, new InconsistentStateException(write.Key, write.ExpectedVersion, stored?.Version ?? 0));
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Where the driver can (PostgreSQL), the chunk's writes go to the server as one batch, one round trip
    /// instead of one a state; each write's own row count still tells whether its version check held.
    /// </summary>
    private async Task WriteChunkAsBatchAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<GrainStateWrite> writes, int from, int to,
        GrainStateWriteResult[] results, CancellationToken cancellationToken)
    {
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        var modifiedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = from; i < to; i++)
        {
            var write = writes[i];
            var command = batch.CreateBatchCommand();
            command.CommandText = write.ExpectedVersion == 0 ? InsertSql : UpdateSql;
            void Add(string name, object? value)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value ?? DBNull.Value;
                if (value is null)
                {
                    parameter.DbType = System.Data.DbType.String;
                }
                command.Parameters.Add(parameter);
            }
            Add("grain_type", write.Key.GrainType);
            Add("grain_key", write.Key.GrainKey);
            Add("state_name", write.Key.StateName);
            Add("payload", write.Payload);
            Add("modified_at", modifiedAt);
            if (write.ExpectedVersion != 0)
            {
                Add("version", write.ExpectedVersion);
            }
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        for (var i = from; i < to; i++)
        {
            var write = writes[i];
            if (batch.BatchCommands[i - from].RecordsAffected == 1)
            {
                results[i] = new GrainStateWriteResult(write.ExpectedVersion + 1, null);
                continue;
            }
            var stored = await ReadAsync(connection, transaction, write.Key, cancellationToken).ConfigureAwait(false);
            results[i] = new GrainStateWriteResult(0, new InconsistentStateException(write.Key, write.ExpectedVersion, stored?.Version ?? 0));
        }
    }

    private static DbCommand Prepare(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.AddParameter("grain_type", string.Empty);
        command.AddParameter("grain_key", string.Empty);
        command.AddParameter("state_name", string.Empty);
        command.AddParameter("payload", string.Empty);
        command.AddParameter("modified_at", 0L);
        if (sql == UpdateSql)
        {
            command.AddParameter("version", 0L);
        }
        return command;
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
