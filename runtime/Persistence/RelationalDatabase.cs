using System.Data.Common;

namespace CityOps.Twin.Runtime.Persistence;

/// <summary>
/// A relational database holding the runtime's schema (Schema.sql): grain state and reminders. The SQL of
/// the storage and the reminder table is the same for every database; a subclass only says how to get a
/// connection.
/// </summary>
public abstract class RelationalDatabase : IAsyncDisposable
{
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private bool _schemaReady;

    /// <summary>"sqlite" or "postgresql": shown in telemetry and errors.</summary>
    public abstract string ProviderName { get; }

    /// <summary>A connection for one unit of work; disposing the lease returns it. <paramref name="holder"/> names the work, for diagnostics.</summary>
    public abstract ValueTask<ConnectionLease> OpenAsync(CancellationToken cancellationToken, [System.Runtime.CompilerServices.CallerMemberName] string holder = "");

    /// <summary>
    /// A connection for background work that nobody waits on (a write-behind chunk). Where connections are
    /// scarce it lets every waiting caller of <see cref="OpenAsync"/> go first: an acknowledged write or a
    /// grain's read must not queue behind a busy city's hot state.
    /// </summary>
    public virtual ValueTask<ConnectionLease> OpenForBackgroundAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken, "write-behind");

    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }
            await ApplyAsync(SchemaStatements(), cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    /// <summary>
    /// Runs idempotent schema statements of another part of the system (the silo's own tables), taking the same
    /// lock across processes as the runtime's schema.
    /// </summary>
    public async Task ApplySchemaAsync(IEnumerable<string> statements, CancellationToken cancellationToken = default)
    {
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ApplyAsync(statements, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    private async Task ApplyAsync(IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        await using var lease = await OpenAsync(cancellationToken).ConfigureAwait(false);
        async Task ExecuteAsync(string sql)
        {
            await using var command = lease.Connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        if (SchemaLockStatements is var (take, release))
        {
            await ExecuteAsync(take).ConfigureAwait(false);
            try
            {
                foreach (var statement in statements)
                {
                    await ExecuteAsync(statement).ConfigureAwait(false);
                }
            }
            finally
            {
                await ExecuteAsync(release).ConfigureAwait(false);
            }
        }
        else
        {
            foreach (var statement in statements)
            {
                await ExecuteAsync(statement).ConfigureAwait(false);
            }
        }
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Statements that take and release a lock across every process on the database while the schema is created,
    /// or null where the database serialises it itself (SQLite's single writer).
    /// </summary>
    protected virtual (string Take, string Release)? SchemaLockStatements => null;

    private static IEnumerable<string> SchemaStatements()
    {
        using var stream = typeof(RelationalDatabase).Assembly.GetManifestResourceStream("CityOps.Twin.Runtime.Schema.sql")
            ?? throw new InvalidOperationException("The schema script is missing from the runtime assembly.");
        using var reader = new StreamReader(stream);
        var withoutComments = string.Join('\n', reader.ReadToEnd().Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        return withoutComments.Split(';').Select(s => s.Trim()).Where(s => s.Length > 0);
    }
}

/// <summary>A connection lent for one unit of work.</summary>
public sealed class ConnectionLease(DbConnection connection, Func<DbConnection, ValueTask> release) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public ValueTask DisposeAsync() => release(Connection);
}

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
