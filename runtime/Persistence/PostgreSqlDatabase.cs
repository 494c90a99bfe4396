using Npgsql;

namespace CityOps.Twin.Runtime.Persistence;

/// <summary>PostgreSQL through Npgsql's pooled data source: many connections at once, one per unit of work.</summary>
public sealed class PostgreSqlDatabase(string connectionString) : RelationalDatabase
{
    /// <summary>
    /// Connections a silo opens at most unless its connection string says otherwise. Npgsql's own default (100)
    /// is more than a stock server lets in (max_connections 100, three of them reserved): a silo activating
    /// thousands of grains at once after a restart was refused "too many clients" instead of waiting its turn.
    /// </summary>
    public const int DefaultMaxPoolSize = 32;

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(WithPoolLimit(connectionString));

    private static string WithPoolLimit(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var named = connectionString.Split(';').Select(p => p.Split('=')[0].Trim().Replace(" ", string.Empty, StringComparison.Ordinal))
            .Any(k => k.Equals("MaxPoolSize", StringComparison.OrdinalIgnoreCase) || k.Equals("MaximumPoolSize", StringComparison.OrdinalIgnoreCase));
        if (!named)
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }
        return builder.ConnectionString;
    }

    public override string ProviderName => "postgresql";

    public override async ValueTask<ConnectionLease> OpenAsync(CancellationToken cancellationToken, [System.Runtime.CompilerServices.CallerMemberName] string holder = "")
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return new ConnectionLease(connection, static c => c.DisposeAsync());
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    // Two sessions running CREATE TABLE IF NOT EXISTS for the same table at once can both pass the check and one
    // then fails on PostgreSQL's catalog ("duplicate key value violates unique constraint pg_type_typname_nsp_index"):
    // silos (and test runs) starting together over one database take turns through an advisory lock instead.
    private const long SchemaLockKey = 0x43_69_74_79_4F_70_73; // "CityOps"

    protected override (string Take, string Release)? SchemaLockStatements =>
        ($"SELECT pg_advisory_lock({SchemaLockKey})", $"SELECT pg_advisory_unlock({SchemaLockKey})");
}
