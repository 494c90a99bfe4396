namespace CityOps.Twin.Grains.Tests.Support;

public static class TestDatabase
{
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("TWIN_TEST_POSTGRES")
        ?? throw new InvalidOperationException("TWIN_TEST_POSTGRES is not set; run the tests with ./test.sh, which starts a private PostgreSQL and sets it.");
}
