using System.Data.Common;
using System.Reflection;
using Orleans;
using Orleans.Runtime;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// Creates the storage schema (Storage/Sql/&lt;database&gt;/*.sql, embedded) on first start, before any provider reads
/// its queries. Every script is idempotent and the whole set runs in one transaction under a lock (SQLite's write
/// lock, a PostgreSQL advisory lock), so two silos starting over one new database install it once, and a restart
/// brings the query texts up to date.
/// </summary>
public sealed class SchemaInstaller(TwinDatabase database, ILogger<SchemaInstaller> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    // Any fixed number shared by every silo of the twin: the advisory lock that serializes installers.
    private const long PostgresInstallLock = 0x7477_696e_5343;

    /// <summary>The queries Orleans' providers (and ours) look up; a start without one of them fails here, by name.</summary>
    private static readonly string[] RequiredQueries =
    [
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "TwinGroupWriteKey",
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    private static readonly string[] RequiredMembershipQueries =
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
        "CleanupDefunctSiloEntriesKey",
    ];

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaInstaller), ServiceLifecycleStage.First, InstallAsync);

    public Task InstallAsync(CancellationToken cancellationToken) => InstallAsync(database, logger, cancellationToken);

    public static async Task InstallAsync(TwinDatabase database, ILogger logger, CancellationToken cancellationToken)
    {
        var scripts = Scripts(database.Kind);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (database.Kind == StorageKind.Sqlite)
            {
                // WAL is a property of the file, kept once set: readers stop blocking the writer, and a commit is one
                // append instead of a journal round trip (measured here: ten times the writes per second).
                await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
            }
            await using var transaction = await TwinDatabase.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            if (database.Kind == StorageKind.PostgreSql)
            {
                await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgresInstallLock});", cancellationToken).ConfigureAwait(false);
            }
            foreach (var (name, text) in scripts)
            {
                try
                {
                    await ExecuteAsync(connection, transaction, text, cancellationToken).ConfigureAwait(false);
                }
                catch (DbException exception)
                {
                    throw new InvalidOperationException($"Schema script {name} failed on {database.Describe()}: {exception.Message}", exception);
                }
            }
            await CheckQueriesAsync(database, connection, transaction, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException exception)
        {
            throw new InvalidOperationException($"Could not install the twin's storage schema on {database.Describe()}: {exception.Message}", exception);
        }
        logger.LogInformation("Storage schema ready on {Database} ({Count} scripts)", database.Describe(), scripts.Count);
    }

    private static async Task CheckQueriesAsync(TwinDatabase database, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT QueryKey FROM OrleansQuery";
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found.Add(reader.GetString(0));
            }
        }
        var required = database.Kind == StorageKind.PostgreSql ? RequiredQueries.Concat(RequiredMembershipQueries) : RequiredQueries;
        var missing = required.Where(key => !found.Contains(key)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException($"OrleansQuery on {database.Describe()} lacks {string.Join(", ", missing)} after the schema scripts ran.");
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string text, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The embedded scripts of one database, in the order of their file names.</summary>
    internal static IReadOnlyList<(string Name, string Text)> Scripts(StorageKind kind)
    {
        var folder = kind switch
        {
            StorageKind.Sqlite => "sqlite",
            StorageKind.PostgreSql => "postgres",
            _ => throw new ArgumentException($"{kind} storage has no schema.", nameof(kind)),
        };
        var assembly = typeof(SchemaInstaller).Assembly;
        var prefix = $"CityOps.Twin.Silo.Storage.Sql.{folder}/";
        var scripts = assembly.GetManifestResourceNames()
            .Where(name => name.Replace('\\', '/').StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => (name, Read(assembly, name)))
            .ToList();
        return scripts.Count > 0 ? scripts : throw new InvalidOperationException($"No schema scripts for {kind} are embedded in {assembly.GetName().Name} (Storage/Sql/{folder}/*.sql).");
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
