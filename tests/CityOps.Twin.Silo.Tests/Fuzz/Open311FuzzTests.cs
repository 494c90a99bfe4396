using System.Net;
using System.Text;
using System.Text.Json;

namespace CityOps.Twin.Silo.Tests.Fuzz;

/// <summary>
/// The Open311 GeoReport v2 endpoint (POST requests.json) against 10,000 generated malformed service requests:
/// each has at least one fault (no or an unknown service_code; lat/long missing, not numbers, out of range or
/// outside the city; a due time that is not a time; a body that is not a form, or not text at all). Each gets
/// a 400 with GeoReport's error array naming the fault, never a 500, and no case is opened by any of them.
/// </summary>
[Collection(DemoSiloCollection.Name)]
public sealed class Open311FuzzTests(DemoSiloFixture fixture)
{
    [Fact]
    public async Task Ten_thousand_malformed_service_requests_each_get_a_clear_400_and_open_no_case()
    {
        var before = await CaseCountAsync();
        var random = new Random(12345);
        var unexpected = new List<string>();

        for (var i = 0; i < 10_000; i++)
        {
            using var content = Request(random, out var shown);
            using var response = await fixture.Client.PostAsync("/open311/v2/requests.json", content);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.BadRequest || !ClearError(text))
            {
                unexpected.Add($"#{i}: {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}\n  request: {shown}");
            }
        }

        Assert.True(unexpected.Count == 0, $"{unexpected.Count} malformed requests got no clear 400; the first:\n{string.Join("\n", unexpected.Take(3))}");
        Assert.Equal(before, await CaseCountAsync());
    }

    private static bool ClearError(string text)
    {
        using var errors = JsonDocument.Parse(text);
        return errors.RootElement.ValueKind == JsonValueKind.Array
            && errors.RootElement.EnumerateArray().All(e => e.GetProperty("code").GetInt32() == 400 && e.GetProperty("description").GetString() is { Length: > 10 });
    }

    private async Task<int> CaseCountAsync() =>
        (await fixture.GetAsync<List<JsonElement>>("/open311/v2/requests.json")).Count;

    private static HttpContent Request(Random random, out string shown)
    {
        // A good request to start from: a pothole in Zhangjiang.
        var form = new Dictionary<string, string>
        {
            ["service_code"] = "0302",
            ["lat"] = (31.2050 + random.NextDouble() * 0.01).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["long"] = (121.6050 + random.NextDouble() * 0.01).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["description"] = "路面坑洞",
            ["first_name"] = "市民",
        };
        switch (random.Next(10))
        {
            case 0: form.Remove("service_code"); break;
            case 1: form["service_code"] = new[] { "9999", "", " ", "0302'; DROP TABLE grain_state;--", new string('x', 5000), "０３０２" }[random.Next(6)]; break;
            case 2: form.Remove(random.Next(2) == 0 ? "lat" : "long"); break;
            case 3: form[random.Next(2) == 0 ? "lat" : "long"] = new[] { "north", "NaN", "Infinity", "1e400", "", "31,2", "0x1F" }[random.Next(7)]; break;
            case 4: form["lat"] = new[] { "91", "-90.5", "1e9" }[random.Next(3)]; break;
            case 5:
                // A real place, but not in the city: Beijing, the sea east of Shanghai, the null island.
                (form["lat"], form["long"]) = new[] { ("39.9042", "116.4074"), ("31.0", "123.5"), ("0", "0") }[random.Next(3)];
                break;
            case 6: form["attribute[expected_datetime]"] = new[] { "tomorrow", "2026-02-30T10:00:00+08:00", "10:00", "9999999999" }[random.Next(4)]; break;
            case 7:
                shown = "a JSON body";
                return new StringContent(JsonSerializer.Serialize(form), Encoding.UTF8, "application/json");
            case 8:
                shown = "random bytes as a form";
                var bytes = new ByteArrayContent([.. Enumerable.Range(0, random.Next(0, 300)).Select(_ => (byte)random.Next(256))]);
                bytes.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
                return bytes;
            default:
                form.Remove("service_code");
                form.Remove("lat");
                break;
        }
        shown = string.Join('&', form.Select(f => $"{f.Key}={f.Value[..Math.Min(40, f.Value.Length)]}"));
        return new FormUrlEncodedContent(form);
    }
}
