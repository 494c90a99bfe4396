namespace CityOps.Twin.Grains.Tests.Support;

public static class TestDatabase
{
    public static string PostgresConnectionString => CityOps.Twin.Tests.Shared.TestPostgres.ConnectionString;
}
