using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Tests;

/// <summary>
/// A batch of readings whose sensor grain does not answer in time (in a cluster: a call Orleans forwarded to a silo
/// that then died) is answered 503 at once, nothing acknowledged, and sending it again is safe.
/// </summary>
public sealed class IngestionAnswerWithinTests
{
    [Fact]
    public async Task A_batch_not_answered_in_time_is_refused_503_and_sent_again_its_applied_readings_are_repeats()
    {
        // No time at all: the grain call is late, unless it answered between the deadline and the API's look at it (a
        // loaded machine can preempt the request there), when the batch is answered in full as if in time; then a newer
        // reading is sent, up to five times, until one is late.
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("Ingestion:AnswerWithin", "00:00:00"));
        await silo.WhenCityFiledAsync();
        var gateway = await silo.KeyClientAsync(["WL-00031"]);
        string batch = string.Empty;
        HttpResponseMessage? late = null;
        var value = 0.0;
        for (var attempt = 1; attempt <= 5 && late is null; attempt++)
        {
            var at = DateTimeOffset.UtcNow.AddSeconds(-30 + 5 * attempt).ToString("O");
            value = 16.5 + attempt;
            batch = $$"""{"readings":[{"sensorId":"WL-00031","measuredAt":"{{at}}","value":{{value.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}]}""";
            var answer = await gateway.PostAsync("/api/ingest/readings", new StringContent(batch, Encoding.UTF8, "application/json"));
            if (answer.StatusCode == HttpStatusCode.OK && attempt < 5)
            {
                Assert.Equal(1, (await answer.Content.ReadFromJsonAsync<IngestionResult>(DemoSiloFixture.Json))!.Accepted);
                continue;
            }
            late = answer;
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, late!.StatusCode);
        Assert.Equal("1", late.Headers.GetValues("Retry-After").Single());
        var problem = await late.Content.ReadAsStringAsync();
        Assert.Contains("sensor WL-00031's grain did not answer within 0 s", problem, StringComparison.Ordinal);
        Assert.Contains("nothing of it was acknowledged", problem, StringComparison.Ordinal);

        // The call went on in the grain: the reading is there, though the batch was not acknowledged.
        await Eventually.TrueAsync(async () => (await silo.Services.GetRequiredService<IClusterClient>().GetGrain<ISensorGrain>("WL-00031").GetSnapshot())?.Value == value,
            TimeSpan.FromSeconds(30), "the late reading is applied", TimeSpan.FromMilliseconds(50));

        // The gateway sends the batch again, now with time to answer: the reading is recognised as a repeat.
        silo.Services.GetRequiredService<IOptions<IngestionOptions>>().Value.AnswerWithin = TimeSpan.FromSeconds(5);
        var again = await gateway.PostAsync("/api/ingest/readings", new StringContent(batch, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var result = (await again.Content.ReadFromJsonAsync<IngestionResult>(DemoSiloFixture.Json))!;
        Assert.Equal(0, result.Accepted);
        Assert.Equal("not newer than the sensor's latest reading (a repeat, or late)", Assert.Single(result.Rejected).Reason);
    }

    [Fact]
    public async Task A_late_batch_of_many_sensors_is_refused_once_naming_the_sensors_still_waiting()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("Ingestion:AnswerWithin", "00:00:00"));
        await silo.WhenCityFiledAsync();
        string[] sensors = [.. Enumerable.Range(41, 7).Select(i => $"WL-{i:D5}")];
        var gateway = await silo.KeyClientAsync(sensors);

        // With no time to answer a batch is late, unless every grain answered between the deadline and the API's look
        // at them (a loaded machine can preempt the request there): then it is answered in full, as if in time. Such a
        // batch is sent again with newer readings, up to five times, until one is late.
        string? problem = null;
        for (var attempt = 1; attempt <= 5 && problem is null; attempt++)
        {
            var at = DateTimeOffset.UtcNow.AddSeconds(-30 + 5 * attempt).ToString("O");
            var batch = $$"""{"readings":[{{string.Join(",", sensors.Select(s => $$"""{"sensorId":"{{s}}","measuredAt":"{{at}}","value":3.5}"""))}}]}""";
            var answer = await gateway.PostAsync("/api/ingest/readings", new StringContent(batch, Encoding.UTF8, "application/json"));
            if (answer.StatusCode == HttpStatusCode.OK)
            {
                var result = (await answer.Content.ReadFromJsonAsync<IngestionResult>(DemoSiloFixture.Json))!;
                Assert.Equal(sensors.Length, result.Accepted);
                Assert.Empty(result.Rejected);
                continue;
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            problem = await answer.Content.ReadAsStringAsync();
        }
        Assert.NotNull(problem);

        // Usually all seven are still waiting when the batch is answered; on a loaded machine the first calls may have
        // been answered while the last were still being sent, so those are not named. Every one named is of the batch,
        // and the count matches the names (the first five, then "...").
        var match = System.Text.RegularExpressions.Regex.Match(problem,
            @"(?:(?<count>\d+) sensors' grains \((?<names>[^)]*)\)|sensor (?<one>WL-\d{5})'s grain) did not answer within 0 s");
        Assert.True(match.Success, problem);
        string[] named = match.Groups["one"].Success ? [match.Groups["one"].Value] : [.. match.Groups["names"].Value.Split(", ").Where(n => n != "...")];
        Assert.All(named, name => Assert.Contains(name, sensors));
        var count = match.Groups["count"].Success ? int.Parse(match.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;
        Assert.InRange(count, 1, 7);
        Assert.Equal(Math.Min(count, 5), named.Length);
        Assert.Equal(count > 5, match.Groups["names"].Value.EndsWith(", ...", StringComparison.Ordinal));
        Assert.Contains("nothing of it was acknowledged", problem, StringComparison.Ordinal);
    }
}
