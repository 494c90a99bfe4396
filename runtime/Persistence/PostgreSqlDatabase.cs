using Npgsql;

namespace CityOps.Twin.Runtime.Persistence;

/// <summary>PostgreSQL through Npgsql's pooled data source: many connections at once, one per unit of work.</summary>
public sealed class PostgreSqlDatabase(string connectionString) : RelationalDatabase
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string ProviderName => "postgresql";

    public override async ValueTask<ConnectionLease> OpenAsync(CancellationToken cancellationToken, [System.Runtime.CompilerServices.CallerMemberName] string holder = "")
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return new ConnectionLease(connection, static c => c.DisposeAsync());
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
