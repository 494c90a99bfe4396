using CityOps.Twin.Runtime.Persistence;
using CityOps.Twin.Runtime.Tests.Support;
using Npgsql;

namespace CityOps.Twin.Runtime.Tests.Persistence;

public sealed class SchemaCreationTests
{
    [Fact]
    public async Task Silos_starting_together_on_a_fresh_PostgreSQL_database_all_create_the_schema_without_error()
    {
        var name = $"twin_schema_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(TestDatabases.PostgresConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var fresh = new NpgsqlConnectionStringBuilder(TestDatabases.PostgresConnectionString) { Database = name }.ConnectionString;

        // Eight silos, each with its own connection pool, create the schema at the same moment.
        var databases = Enumerable.Range(0, 8).Select(_ => new PostgreSqlDatabase(fresh)).ToList();
        try
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var creating = databases.Select(d => Task.Run(async () =>
            {
                await start.Task;
                await d.EnsureSchemaAsync();
            })).ToList();
            start.SetResult();
            await Task.WhenAll(creating);
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }

        await using var check = new NpgsqlConnection(fresh);
        await check.OpenAsync();
        await using var tables = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", check);
        Assert.True((long)(await tables.ExecuteScalarAsync())! >= 2);
    }
}
