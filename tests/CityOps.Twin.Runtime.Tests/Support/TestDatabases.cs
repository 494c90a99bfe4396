namespace CityOps.Twin.Runtime.Tests.Support;

/// <summary>Where the tests find their databases: a temp SQLite file each, and the PostgreSQL that the test command starts.</summary>
public static class TestDatabases
{
    public const string PostgresVariable = "TWIN_TEST_POSTGRES";

    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable)
        ?? throw new InvalidOperationException(
            $"{PostgresVariable} is not set. Run the tests with ./test.sh, which starts a private PostgreSQL and sets it, or point it at a PostgreSQL you started (Host=...;Port=...;Username=...;Database=...).");

    public static string NewSqlitePath() => Path.Combine(Path.GetTempPath(), "cityops-tests", $"{Guid.NewGuid():N}.db");
}
