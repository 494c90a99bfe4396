using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// The database of the twin's storage: opens connections and names the ADO.NET invariant Orleans' providers load.
/// PostgreSQL connections come from one data source (its pool); SQLite's from Microsoft.Data.Sqlite's own pool.
/// </summary>
public sealed class TwinDatabase : IAsyncDisposable
{
    /// <summary>
    /// The invariant Orleans' ADO.NET providers take for SQLite: they know only "System.Data.SQLite" (their
    /// "Microsoft.Data.Sqlite" entry has no constants and fails at start), and serve it with Microsoft.Data.Sqlite.
    /// </summary>
    public const string SqliteInvariant = "System.Data.SQLite";

    public const string PostgreSqlInvariant = "Npgsql";

    /// <summary>
    /// Connections of the twin's storage at most, on PostgreSQL: a burst of grain activations reading at once waits for
    /// one instead of asking the server for hundreds (its default limit is 100, shared with Orleans' own providers'
    /// pools and the product's stores), which it refuses.
    /// </summary>
    public const int MaxPostgresConnections = 20;

    private readonly NpgsqlDataSource? _postgres;

    public TwinDatabase(StorageKind kind, string connectionString)
    {
        if (kind == StorageKind.Memory)
        {
            throw new ArgumentException("In-memory storage has no database.", nameof(kind));
        }
        Kind = kind;
        ConnectionString = connectionString;
        if (kind == StorageKind.PostgreSql)
        {
            var pooled = new NpgsqlConnectionStringBuilder(connectionString);
            pooled.MaxPoolSize = Math.Min(pooled.MaxPoolSize, MaxPostgresConnections);
            _postgres = NpgsqlDataSource.Create(pooled);
        }
    }

    public StorageKind Kind { get; }

    public string ConnectionString { get; }

    public string Invariant => Kind == StorageKind.Sqlite ? SqliteInvariant : PostgreSqlInvariant;

    /// <summary>Where the database is, for error messages (never the password).</summary>
    public string Describe()
    {
        if (Kind == StorageKind.Sqlite)
        {
            return $"SQLite file {new SqliteConnectionStringBuilder(ConnectionString).DataSource}";
        }
        var postgres = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL database {postgres.Database} on {postgres.Host}:{postgres.Port}";
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// Reaches the database as a new user of it would, for the health checks: on PostgreSQL a query through the pool
    /// (a stopped server fails it); on SQLite a fresh connection that neither comes from the pool (whose open handles
    /// still read a file deleted or moved away) nor creates the file, reading its schema (a file that is not a
    /// database, or cannot be read, fails it).
    /// </summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await using DbConnection connection = _postgres is not null
            ? await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false)
            : new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString) { Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ConnectionString);
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        await using var command = connection.CreateCommand();
        command.CommandText = _postgres is not null ? "SELECT 1" : "SELECT count(*) FROM sqlite_master";
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A write transaction. On SQLite it takes the write lock at BEGIN (IMMEDIATE): a deferred one that reads first
    /// and upgrades later is refused at once, not queued, when another silo's transaction holds the file.
    /// </summary>
    public static async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs idempotent schema statements of the silo's own tables (users, keys, audit) in one write transaction, under a
    /// lock every silo on the database takes (an advisory lock on PostgreSQL; SQLite's one writer), so two silos
    /// starting together over a new database do not race.
    /// </summary>
    public async Task ApplySchemaAsync(IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        if (Kind == StorageKind.PostgreSql)
        {
            await ExecuteAsync($"SELECT pg_advisory_xact_lock({SiloSchemaLock})").ConfigureAwait(false);
        }
        foreach (var statement in statements)
        {
            await ExecuteAsync(statement).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        async Task ExecuteAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private const long SiloSchemaLock = 0x43_69_74_79_4F_70_73; // "CityOps"

    public ValueTask DisposeAsync() => _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>Parameters the same way on SQLite and PostgreSQL: a null is a typed NULL.</summary>
public static class DbCommandExtensions
{
    public static DbParameter AddParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (value is null)
        {
            parameter.DbType = System.Data.DbType.String;
        }
        command.Parameters.Add(parameter);
        return parameter;
    }
}
