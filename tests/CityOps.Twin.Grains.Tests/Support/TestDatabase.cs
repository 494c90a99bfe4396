namespace CityOps.Twin.Grains.Tests.Support;

public static class TestDatabase
{
    /// <summary>
    /// A PostgreSQL database of one test's own. A silo delivers every reminder it finds in its database: a test that
    /// moves its clock hours ahead over a shared database flags other tests' cases overdue.
    /// </summary>
    public static async Task<string> NewPostgresAsync(string label)
    {
        var name = $"{label}_{Guid.NewGuid():N}";
        await using var server = new Npgsql.NpgsqlConnection(CityOps.Twin.Tests.Shared.TestPostgres.Server);
        await server.OpenAsync();
        await new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", server).ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(CityOps.Twin.Tests.Shared.TestPostgres.Server) { Database = name }.ConnectionString;
    }
}
