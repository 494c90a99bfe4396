using System.Data.Common;
using CityOps.Twin.Silo.Storage;
using CityOps.Twin.Tests.Shared;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CityOps.Twin.Silo.Tests.Storage;

/// <summary>
/// A new, empty database of one kind for one test: a SQLite file in a temp folder, or a PostgreSQL database of its
/// own on the test server (TWIN_TEST_POSTGRES, as <see cref="TestPostgres"/>), since a silo delivers every reminder
/// and reads every row it finds. Deleted at the end.
/// </summary>
public sealed class StorageTestDatabase : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly string? _postgresName;

    private StorageTestDatabase(StorageKind kind, string connectionString, string? folder, string? postgresName)
    {
        Kind = kind;
        ConnectionString = connectionString;
        _folder = folder;
        _postgresName = postgresName;
    }

    public StorageKind Kind { get; }

    public string ConnectionString { get; }

    public static async Task<StorageTestDatabase> CreateAsync(StorageKind kind)
    {
        if (kind == StorageKind.Sqlite)
        {
            var folder = Directory.CreateTempSubdirectory("twin-storage-").FullName;
            return new StorageTestDatabase(kind, $"Data Source={Path.Combine(folder, "twin.db")}", folder, null);
        }

        var name = $"storage_{Guid.NewGuid():N}";
        await using (var server = new NpgsqlConnection(TestPostgres.Server))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", server);
            await create.ExecuteNonQueryAsync();
        }
        return new StorageTestDatabase(kind, new NpgsqlConnectionStringBuilder(TestPostgres.Server) { Database = name }.ConnectionString, null, name);
    }

    public async Task<DbConnection> OpenAsync()
    {
        // The test's own reads use a small pool of their own: with the silo's, they must stay under the server's limit.
        DbConnection connection = Kind == StorageKind.Sqlite
            ? new SqliteConnection(ConnectionString)
            : new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = 10 }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The text of one of the storage's queries, as the silo installed it in OrleansQuery.</summary>
    public async Task<string> QueryTextAsync(string key)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key";
        AddParameter(command, "key", key);
        return (string?)await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"No query '{key}' in {ConnectionString}.");
    }

    /// <summary>The stored count of one string-keyed state, read straight from the table: null when there is no row.</summary>
    public async Task<(int? Count, int Version)?> ReadStoredAsync(string stateName, string key)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload, version FROM orleans_grain_state WHERE grain_type = @state AND grain_id_extension = @key";
        AddParameter(command, "state", stateName);
        AddParameter(command, "key", key);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }
        var version = Convert.ToInt32(reader.GetValue(1));
        if (await reader.IsDBNullAsync(0))
        {
            return (null, version);
        }
        var state = System.Text.Json.JsonSerializer.Deserialize((byte[])reader.GetValue(0), StorageTestJsonContext.Default.TallyState)!;
        return (state.Count, version);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public async ValueTask DisposeAsync()
    {
        if (_folder is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var server = new NpgsqlConnection(TestPostgres.Server);
            await server.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)", server);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
