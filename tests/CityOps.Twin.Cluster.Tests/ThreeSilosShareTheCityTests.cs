using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Cluster.Tests.Support;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Tests.Shared;

namespace CityOps.Twin.Cluster.Tests;

/// <summary>Three silos over one database serve one city: its grains spread over them, a sign-in and a reading hold on every silo.</summary>
public sealed class ThreeSilosShareTheCityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_silos_hold_the_city_between_them_and_each_answers_for_all_of_it()
    {
        await using var cluster = await LoopbackCluster.StartAsync("share", 3);
        var sensors = await cluster[0].SensorsAsync();

        // A reading for every sensor, through the three silos in turn.
        var at = DateTimeOffset.UtcNow;
        for (var s = 0; s < 3; s++)
        {
            var batch = sensors.Where((_, i) => i % 3 == s).ToList();
            var result = await CityRequests.IngestAsync(cluster[s], batch.Select(x => (x.Id, at, CityRequests.QuietValue(x.Kind))));
            Assert.Equal(batch.Count, result.Accepted);
        }

        // The first silo filed the whole city alone; the two that joined take their share of the grids from it.
        var spread = Stopwatch.StartNew();
        var view = await cluster.WaitForViewAsync(1, v => v.Silos.Count(s => s.Status == "Active") == 3
            // Rendezvous hashing gives each of three silos about a third of the grids, and the grids' sensors with them.
            && v.Silos.All(s => s.Activations.GetValueOrDefault("SensorGrain") > sensors.Count / 4 && s.Activations.GetValueOrDefault("GridGrain") > 0)
            && v.Silos.Sum(s => s.Activations.GetValueOrDefault("SensorGrain")) == sensors.Count, TimeSpan.FromSeconds(60));
        output.WriteLine($"silos served after {string.Join(", ", cluster.Up.Select(i => $"{cluster[i].SecondsToServe:0.0} s"))}");
        output.WriteLine($"the city spread over three silos {spread.Elapsed.TotalSeconds:0.0} s after the last one served:");
        foreach (var silo in view.Silos)
        {
            output.WriteLine($"  {silo.Address} {silo.Status}: {string.Join(", ", silo.Activations.OrderBy(a => a.Key).Select(a => $"{a.Key} {a.Value}"))}");
        }

        // An operator signed in on the first silo is known on the other two by the cookie alone.
        var created = await (await cluster[0].Http.PostAsJsonAsync("/api/admin/users", new { name = "值班员-集群", roles = new[] { "Operator" } }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<AdminApi.CreatedUser>(SiloProcess.Json);
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false });
        var signedIn = await browser.PostAsJsonAsync(new Uri(cluster[0].Address, "/api/account/signin"), new { name = created!.Name, password = created.Password });
        signedIn.EnsureSuccessStatusCode();
        var cookie = string.Join("; ", signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        for (var s = 1; s < 3; s++)
        {
            using var me = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster[s].Address, "/api/account/me")) { Headers = { { "Cookie", cookie } } };
            var answer = await browser.SendAsync(me);
            Assert.True(answer.IsSuccessStatusCode, $"silo {s} refused the cookie signed on silo 0: {(int)answer.StatusCode}");
            var who = await answer.Content.ReadFromJsonAsync<AccountApi.Me>(SiloProcess.Json);
            Assert.Equal(created.Name, who!.Name);
        }

        // A reading taken in by the first silo is read back through the third.
        var (sensor, kind) = sensors[sensors.Count / 2];
        var value = Math.Round(CityRequests.QuietValue(kind) * 1.1, 3);
        var measuredAt = DateTimeOffset.UtcNow;
        Assert.Equal(1, (await CityRequests.IngestAsync(cluster[0], [(sensor, measuredAt, value)])).Accepted);
        using var device = JsonDocument.Parse(await cluster[2].Http.GetStringAsync($"/api/devices/{sensor}"));
        Assert.Equal(value, device.RootElement.GetProperty("value").GetDouble());
        Assert.Equal(measuredAt, device.RootElement.GetProperty("measuredAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));

        // One drill in the whole cluster: started on the first silo, a start on the second is refused naming the first.
        (await cluster[0].Http.PostAsJsonAsync("/api/drills/start", new { scenario = "rainstorm-drill.yaml", speed = 1 })).EnsureSuccessStatusCode();
        var second = await cluster[1].Http.PostAsJsonAsync("/api/drills/start", new { scenario = "rainstorm-drill.yaml", speed = 1 });
        var refusal = await second.Content.ReadAsStringAsync();
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Contains("one drill runs at a time in the cluster", refusal, StringComparison.Ordinal);
        Assert.Contains(cluster[0].Address.ToString().TrimEnd('/'), refusal, StringComparison.Ordinal);
        output.WriteLine($"a second drill, started on silo 1: {refusal}");
    }
}
