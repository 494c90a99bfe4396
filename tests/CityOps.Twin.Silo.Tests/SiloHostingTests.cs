using System.Net;
using System.Text.Json;

namespace CityOps.Twin.Silo.Tests;

public sealed class SiloHostingTests
{
    [Fact]
    public async Task The_silo_over_SQLite_is_healthy_and_keeps_its_database_in_the_data_folder()
    {
        var data = SiloFactory.NewDataFolder();
        await using var silo = new SiloFactory(("data", data));
        var client = await silo.CreateTwinClientAsync();
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
        var connection = CityOps.Twin.Tests.Shared.TestPostgres.ConnectionString;
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "postgres"), ("connection", connection));
        var client = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();

        var response = await client.GetAsync("/healthz");

        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task While_the_city_is_being_filed_the_silo_already_answers_and_says_so()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        var client = await silo.CreateTwinClientAsync();

        var early = await (await client.GetAsync("/healthz")).Content.ReadAsStringAsync();
        await silo.WhenCityFiledAsync();
        var late = await (await client.GetAsync("/healthz")).Content.ReadAsStringAsync();

        Assert.Contains(early, new[] { "Degraded", "Healthy" });
        Assert.Equal("Healthy", late);
    }

    [Fact]
    public async Task The_twin_view_opens_on_the_map_in_Chinese_in_normal_mode_and_serves_its_scripts_styles_and_the_city()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        var client = await silo.CreateTwinClientAsync();

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/"));

        Assert.Contains("<html lang=\"zh-Hans\">", page);
        Assert.Contains("运行地图", page);
        Assert.Contains("平时状态", page);
        Assert.Contains("data-testid=\"city-map\"", page);
        foreach (var asset in new[] { "/_framework/blazor.web.js", "/_content/CityOps.Twin.Web/twin.css", "/_content/CityOps.Twin.Web/twin-map.js", "/_content/CityOps.Twin.Web/twin.js" })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(asset)).StatusCode);
        }

        using var city = JsonDocument.Parse(await client.GetStringAsync("/twin/city.json"));
        Assert.Equal(3_465, city.RootElement.GetProperty("areas").EnumerateArray().Count(a => a.GetProperty("level").GetInt32() == 3));
        Assert.Equal(2_400, city.RootElement.GetProperty("sensors").EnumerateObject().Count());
        Assert.Equal(1_200, city.RootElement.GetProperty("cameras").EnumerateObject().Count());
        Assert.Equal(600, city.RootElement.GetProperty("elevators").EnumerateObject().Count());

        // It travels compressed to a browser that accepts it.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/twin/city.json") { Headers = { { "Accept-Encoding", "gzip" } } };
        using var compressed = await client.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(compressed.Content.Headers.ContentEncoding));
        await using var unzipped = new System.IO.Compression.GZipStream(await compressed.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        using var same = await JsonDocument.ParseAsync(unzipped);
        Assert.Equal(city.RootElement.GetProperty("areas").GetArrayLength(), same.RootElement.GetProperty("areas").GetArrayLength());
    }
}
