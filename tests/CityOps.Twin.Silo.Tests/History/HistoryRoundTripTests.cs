using System.Globalization;
using System.Net.Http.Json;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Silo.History;
using CityOps.Twin.Silo.Storage;
using CityOps.Twin.Silo.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Twin.Silo.Tests.History;

/// <summary>
/// A real day of the Wusong tide gauge, ingested at its own cadence on the test's clock, survives a restart of the silo:
/// every reading comes back as it went in, and the 1-minute and 1-hour buckets are what the series makes.
/// </summary>
public sealed class HistoryRoundTripTests
{
    private const string TideSensor = "TD-00001";

    private static readonly DateOnly Day = new(2023, 9, 1);

    private static SiloFactory Silo(StorageKind kind, string data, string? connection, FakeTimeProvider clock) => kind == StorageKind.Sqlite
        ? new SiloFactory(("data", data)) { Clock = clock }
        : new SiloFactory(("data", data), ("storage", "postgres"), ("connection", connection!)) { Clock = clock };

    private static string Query(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(StorageKind.Sqlite)]
    [InlineData(StorageKind.PostgreSql)]
    public async Task A_day_of_Wusong_tide_readings_is_read_back_exactly_after_a_restart_and_its_buckets_match_the_series(StorageKind kind)
    {
        var series = WusongDay.Read(Day);
        Assert.True(series.Count >= 24, $"the Wusong series has {series.Count} readings on {Day}");
        await using var database = await StorageTestDatabase.CreateAsync(kind);
        var data = SiloFactory.NewDataFolder();
        var clock = new FakeTimeProvider(series[0].At);

        await using (var silo = Silo(kind, data, database.ConnectionString, clock))
        {
            var http = await silo.CreateTwinClientAsync();
            await silo.WhenCityFiledAsync();
            foreach (var (at, value) in series)
            {
                if (at > clock.GetUtcNow())
                {
                    clock.SetUtcNow(at);
                }
                var response = await http.PostAsJsonAsync("/api/ingest/readings", new
                {
                    readings = new[] { new { sensorId = TideSensor, measuredAt = at.ToString("O", CultureInfo.InvariantCulture), value } },
                });
                response.EnsureSuccessStatusCode();
                Assert.Equal(1, (await response.Content.ReadFromJsonAsync<IngestionResult>(DemoSiloFixture.Json))!.Accepted);
            }
            Assert.True(await silo.Services.GetRequiredService<HistoryWriter>().WhenWrittenAsync(TimeSpan.FromSeconds(60)), "the history writer caught up");
        }

        clock.Advance(TimeSpan.FromHours(1));
        await using var again = Silo(kind, data, database.ConnectionString, clock);
        var client = await again.SignedInClientAsync();
        var range = $"from={Query(series[0].At)}&to={Query(series[^1].At)}";

        var raw = (await client.GetFromJsonAsync<DeviceHistory>($"/api/devices/{TideSensor}/history?{range}", DemoSiloFixture.Json))!;
        Assert.Equal("raw", raw.Step);
        Assert.Null(raw.Note);
        Assert.Equal(series.Select(r => (r.At.UtcTicks, r.Value)), raw.Readings!.Select(r => (r.At.UtcTicks, r.Value)));
        Assert.All(raw.Readings!, r => Assert.Equal(WusongDay.Shanghai, r.At.Offset));

        foreach (var (step, width) in new[] { ("1m", TimeSpan.FromMinutes(1)), ("1h", TimeSpan.FromHours(1)) })
        {
            var answer = (await client.GetFromJsonAsync<DeviceHistory>($"/api/devices/{TideSensor}/history?{range}&step={step}", DemoSiloFixture.Json))!;
            Assert.Equal(step, answer.Step);
            var expected = WusongDay.Buckets(series, width);
            Assert.Equal(expected.Select(b => (b.Start.UtcTicks, b.Min, b.Max, (long)b.Count)), answer.Buckets!.Select(b => (b.At.UtcTicks, b.Min, b.Max, b.Count)));
            Assert.All(expected.Zip(answer.Buckets!), pair => Assert.Equal(pair.First.Mean, pair.Second.Mean, 12));
        }

        var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/devices/{TideSensor}/history?{range}");
        csvRequest.Headers.Accept.ParseAdd("text/csv");
        var csv = await client.SendAsync(csvRequest);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("at,value", lines[0]);
        Assert.Equal(series.Select(r => (r.At.UtcTicks, r.Value)), lines.Skip(1).Select(line => line.Split(',')).Select(f =>
            (DateTimeOffset.Parse(f[0], CultureInfo.InvariantCulture).UtcTicks, double.Parse(f[1], CultureInfo.InvariantCulture))));

        // The day's high waters passed the tide's blue level (4.5 m): each alarm change is in the events, with its reading.
        var alarms = (await client.GetFromJsonAsync<HistoryEvents>(
            $"/api/history/events?{range}&kind=alarm&device={TideSensor}", DemoSiloFixture.Json))!.Events;
        Assert.NotEmpty(alarms);
        Assert.Equal("None", alarms[0].From);
        Assert.Contains(series, r => r.At == alarms[0].At && r.Value == alarms[0].Value);
        var cases = (await client.GetFromJsonAsync<HistoryEvents>($"/api/history/events?{range}&kind=case", DemoSiloFixture.Json))!.Events;
        Assert.Contains(cases, e => e.Subject == $"S-{TideSensor}-0001" && e.To == "Reported");
    }
}
