namespace CityOps.Twin.Runtime.Tests.Support;

/// <summary>Where the tests find their databases: a temp SQLite file each, and a database of this test run in the PostgreSQL that the test command starts.</summary>
public static class TestDatabases
{
    public static string PostgresConnectionString => CityOps.Twin.Tests.Shared.TestPostgres.ConnectionString;

    public static string NewSqlitePath() => Path.Combine(Path.GetTempPath(), "cityops-tests", $"{Guid.NewGuid():N}.db");
}
