using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Silo.Tests.Fuzz;

/// <summary>
/// The readings ingestion API against 10,000 generated malformed batches. A body can be broken as a whole
/// (not JSON, cut short, the wrong shape, too many items), or be a batch in which every item has at least one
/// fault (unknown sensor, wrong types, a time that is not a time, in the future or too old, a value that is not a
/// finite number or outside what the sensor can measure, not an object). Each gets a 400 or 413 with a problem
/// that says what is wrong, or a 200 that refuses every item with its index and reason; never a 500. The sensors
/// the batches name are as they were before: a refused input changes nothing.
/// </summary>
[Collection(DemoSiloCollection.Name)]
public sealed class IngestionFuzzTests(DemoSiloFixture fixture)
{
    private static readonly string[] Sensors = [.. Enumerable.Range(40, 20).Select(i => $"WL-{i:D5}")];

    [Fact]
    public async Task Ten_thousand_malformed_batches_each_get_a_clear_refusal_and_change_no_sensor()
    {
        var before = await SnapshotsAsync();
        var random = new Random(311);
        var unexpected = new List<string>();
        var (wholes, items) = (0, 0);

        for (var i = 0; i < 10_000; i++)
        {
            var (body, itemCount) = random.Next(4) == 0 ? (BrokenBody(random), -1) : BadBatch(random);
            using var response = await fixture.Client.PostAsync("/api/ingest/readings", new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            var problem = Check(response.StatusCode, text, itemCount);
            if (problem is not null)
            {
                unexpected.Add($"#{i}: {problem}\n  body: {body[..Math.Min(300, body.Length)]}\n  answer {(int)response.StatusCode}: {text[..Math.Min(300, text.Length)]}");
            }
            else if (response.StatusCode == HttpStatusCode.OK)
            {
                items++;
            }
            else
            {
                wholes++;
            }
        }

        Assert.True(unexpected.Count == 0, $"{unexpected.Count} malformed batches got no clear refusal; the first:\n{string.Join("\n", unexpected.Take(3))}");
        Assert.True(wholes > 1_000 && items > 5_000, $"{wholes} bodies refused whole and {items} batches refused item by item: the generator is lopsided");
        Assert.Equal(before, await SnapshotsAsync());
    }

    private static string? Check(HttpStatusCode status, string text, int itemCount)
    {
        if (status is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge)
        {
            using var problem = JsonDocument.Parse(text);
            return problem.RootElement.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 10 } ? null : "a refusal without a detail";
        }
        if (status != HttpStatusCode.OK)
        {
            return $"status {(int)status}";
        }
        using var result = JsonDocument.Parse(text);
        var accepted = result.RootElement.GetProperty("accepted").GetInt32();
        var rejected = result.RootElement.GetProperty("rejected").EnumerateArray().ToList();
        if (accepted != 0)
        {
            return $"{accepted} items accepted from a batch of faulty items";
        }
        if (itemCount >= 0 && rejected.Count != itemCount)
        {
            return $"{rejected.Count} refusals for {itemCount} items";
        }
        return rejected.All(r => r.GetProperty("reason").GetString() is { Length: > 5 }) ? null : "an item refused without a reason";
    }

    private async Task<List<string>> SnapshotsAsync()
    {
        var snapshots = new List<string>();
        foreach (var id in Sensors)
        {
            var snapshot = await fixture.GetAsync<SensorSnapshot>($"/api/devices/{id}");
            snapshots.Add($"{id} {snapshot.Value} {snapshot.MeasuredAt:O} {snapshot.Level} {snapshot.Recent.Count}");
        }
        return snapshots;
    }

    private static string BrokenBody(Random random)
    {
        var good = $$"""{"readings":[{"sensorId":"{{Sensors[0]}}","measuredAt":"{{DateTimeOffset.UtcNow.AddHours(5):O}}","value":1}]}""";
        return random.Next(9) switch
        {
            0 => good[..random.Next(good.Length)],
            1 => "",
            2 => "[" + good + "]",
            3 => """{"reading":[]}""",
            4 => """{"readings":{"sensorId":"WL-00040"}}""",
            5 => """{"readings":""" + new string('[', random.Next(1, 300)),
            6 => Encoding.UTF8.GetString([.. Enumerable.Range(0, random.Next(1, 200)).Select(_ => (byte)random.Next(1, 256))]),
            7 => """{"readings":[""" + string.Join(',', Enumerable.Repeat("1", 10_001)) + "]}",
            _ => "null",
        };
    }

    private static (string Body, int Items) BadBatch(Random random)
    {
        var count = random.Next(1, 12);
        var items = Enumerable.Range(0, count).Select(_ => BadItem(random)).ToList();
        return ($$"""{"readings":[{{string.Join(',', items)}}]}""", count);
    }

    /// <summary>A reading with at least one fault, so nothing of it may be applied.</summary>
    private static string BadItem(Random random)
    {
        var sensor = JsonSerializer.Serialize(Sensors[random.Next(Sensors.Length)]);
        var time = JsonSerializer.Serialize(DateTimeOffset.UtcNow.AddSeconds(-random.Next(1, 600)).ToString("O", CultureInfo.InvariantCulture));
        var value = (random.NextDouble() * 20).ToString("R", CultureInfo.InvariantCulture);
        switch (random.Next(12))
        {
            case 0: sensor = JsonSerializer.Serialize($"NO-SUCH-{random.Next(1000)}"); break;
            case 1: sensor = random.Next(2) == 0 ? "42" : "null"; break;
            case 2: time = JsonSerializer.Serialize(new[] { "yesterday", "2026-02-30T08:00:00+08:00", "2026-07-27 08:00:00", "", "25:00", "1e9" }[random.Next(6)]); break;
            case 3: time = JsonSerializer.Serialize(DateTimeOffset.UtcNow.AddHours(random.Next(1, 1000)).ToString("O", CultureInfo.InvariantCulture)); break;
            case 4: time = JsonSerializer.Serialize(DateTimeOffset.UtcNow.AddDays(-random.Next(2, 5000)).ToString("O", CultureInfo.InvariantCulture)); break;
            case 5: value = new[] { "\"NaN\"", "\"Infinity\"", "\"12\"", "true", "null", "[]", "{}" }[random.Next(7)]; break;
            case 6: value = new[] { "-1", "301", "1e308", "-1e308", "1e400" }[random.Next(5)]; break;
            case 7: return new[] { "1", "\"WL-00040\"", "null", "[]", "true" }[random.Next(5)];
            case 8: return $$"""{"measuredAt":{{time}},"value":{{value}}}""";
            case 9: return $$"""{"sensorId":{{sensor}},"value":{{value}}}""";
            case 10: return $$"""{"sensorId":{{sensor}},"measuredAt":{{time}}}""";
            default: time = "12345"; break;
        }
        return $$"""{"sensorId":{{sensor}},"measuredAt":{{time}},"value":{{value}}}""";
    }
}
