using CityOps.Twin.Runtime.Tests.Support;
using CityOps.Twin.Runtime.Tests.TestGrains;
using Npgsql;

namespace CityOps.Twin.Runtime.Tests.Persistence;

public sealed class PostgreSqlConnectionTests
{
    [Fact]
    public async Task More_grains_activating_at_once_than_the_server_lets_in_wait_for_connections_instead_of_being_refused()
    {
        await using (var server = new NpgsqlConnection(TestDatabases.PostgresConnectionString))
        {
            await server.OpenAsync();
            var allowed = Convert.ToInt32(await new NpgsqlCommand("SHOW max_connections", server).ExecuteScalarAsync());
            Assert.True(allowed < 400, $"the test needs more grains than the server's {allowed} connections");
        }
        await using var silo = await TestSilo.StartAsync(b => b.UsePostgreSql(TestDatabases.PostgresConnectionString));
        var prefix = Guid.NewGuid().ToString("N");

        // Each first call reads the grain's state on activation and writes it through: 400 at once.
        var counts = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => silo.Grain<IStatefulGrain>($"{prefix}-{i}").Increment("restart rush")));

        Assert.All(counts, count => Assert.Equal(1, count));
    }
}
