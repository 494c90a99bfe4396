using System.Net;

namespace CityOps.Twin.Silo.Tests;

public sealed class SiloHostingTests
{
    [Fact]
    public async Task The_silo_over_SQLite_is_healthy_and_keeps_its_database_in_the_data_folder()
    {
        var data = SiloFactory.NewDataFolder();
        await using var silo = new SiloFactory(("data", data));
        var client = silo.CreateClient();
        await silo.WhenCityFiledAsync();

        var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        Assert.True(File.Exists(Path.Combine(data, "cityops-twin.db")));

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        var stopped = await Record.ExceptionAsync(async () => await silo.DisposeAsync());
        Assert.True(stopped is null && stopping.Elapsed < TimeSpan.FromSeconds(60),
            $"stopping the silo over SQLite took {stopping.Elapsed.TotalSeconds:0.0} s ({stopped?.GetType().Name}); it said: {string.Join(" | ", silo.Logs.Lines)}");
    }

    [Fact]
    public async Task The_silo_over_PostgreSQL_is_healthy()
    {
        var connection = Environment.GetEnvironmentVariable("TWIN_TEST_POSTGRES")
            ?? throw new InvalidOperationException("TWIN_TEST_POSTGRES is not set; run the tests with ./test.sh, which starts PostgreSQL.");
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "postgres"), ("connection", connection));
        var client = silo.CreateClient();
        await silo.WhenCityFiledAsync();

        var response = await client.GetAsync("/healthz");

        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task While_the_city_is_being_filed_the_silo_already_answers_and_says_so()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        var client = silo.CreateClient();

        var early = await (await client.GetAsync("/healthz")).Content.ReadAsStringAsync();
        await silo.WhenCityFiledAsync();
        var late = await (await client.GetAsync("/healthz")).Content.ReadAsStringAsync();

        Assert.Contains(early, new[] { "Degraded", "Healthy" });
        Assert.Equal("Healthy", late);
    }

    [Fact]
    public async Task The_twin_view_shows_the_city_in_normal_mode_in_Chinese_and_serves_its_script_and_styles()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        var client = silo.CreateClient();

        var page = await client.GetStringAsync("/");

        Assert.Contains("城市运行状态", page);
        Assert.Contains("平时状态", WebUtility.HtmlDecode(page));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/_framework/blazor.web.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/_content/CityOps.Twin.Web/twin.css")).StatusCode);
    }
}
