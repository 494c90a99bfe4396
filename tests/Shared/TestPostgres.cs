using Npgsql;

namespace CityOps.Twin.Tests.Shared;

/// <summary>
/// The PostgreSQL of the tests: the server the test command starts (TWIN_TEST_POSTGRES), and in it a database of
/// this test process's own, created on first use. Test projects run side by side, and a grain's reminders or
/// state left by one project's silo must not be found by another's (a silo delivers every reminder it finds).
/// </summary>
public static class TestPostgres
{
    public const string Variable = "TWIN_TEST_POSTGRES";

    private static readonly Lazy<string> Database = new(Create);

    /// <summary>The connection string of this process's own database.</summary>
    public static string ConnectionString => Database.Value;

    /// <summary>The server as the test command gave it (its maintenance database), for tests that make databases of their own.</summary>
    public static string Server =>
        Environment.GetEnvironmentVariable(Variable)
        ?? throw new InvalidOperationException(
            $"{Variable} is not set. Run the tests with ./test.sh, which starts a private PostgreSQL and sets it, or point it at a PostgreSQL you started (Host=...;Port=...;Username=...;Database=...).");

    private static string Create()
    {
        var name = $"{AppDomain.CurrentDomain.FriendlyName.Replace("CityOps.Twin.", string.Empty, StringComparison.Ordinal).Replace('.', '_').ToLowerInvariant()}_{Environment.ProcessId}";
        using (var connection = new NpgsqlConnection(Server))
        {
            connection.Open();
            using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = name } } };
            if (exists.ExecuteScalar() is null)
            {
                using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                create.ExecuteNonQuery();
            }
        }
        return new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;
    }
}
