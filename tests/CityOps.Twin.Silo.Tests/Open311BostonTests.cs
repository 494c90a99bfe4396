using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Silo.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Twin.Silo.Tests;

/// <summary>
/// A hundred real Boston 311 requests of January 2022 (../shared/data/case-workloads), filed through our
/// Open311 endpoint with their own deadlines (target_dt) at their own times, worked and closed when Boston
/// closed them: our overdue flags must agree with the file's ONTIME/OVERDUE.
/// </summary>
public sealed class Open311BostonTests
{
    // January in Boston is Eastern Standard Time; the file's times are local.
    private static readonly TimeSpan Eastern = TimeSpan.FromHours(-5);

    private sealed record Boston311(string Id, DateTimeOffset Opened, DateTimeOffset? Target, DateTimeOffset? Closed, string OnTime, double Latitude, double Longitude, string Type);

    private static IReadOnlyList<Boston311> Requests()
    {
        DateTimeOffset? Time(string text) => string.IsNullOrWhiteSpace(text)
            ? null
            : new DateTimeOffset(DateTime.ParseExact(text.Trim(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Eastern);
        using var reader = new StreamReader(SharedData.Path("case-workloads", "boston311-100.csv"));
        var header = ParseCsvLine(reader.ReadLine()!);
        int Column(string name) => Array.IndexOf(header, name);
        var rows = new List<Boston311>();
        while (reader.ReadLine() is { } line)
        {
            var f = ParseCsvLine(line);
            rows.Add(new Boston311(f[Column("case_enquiry_id")], Time(f[Column("open_dt")])!.Value, Time(f[Column("target_dt")]), Time(f[Column("closed_dt")]),
                f[Column("ontime")], double.Parse(f[Column("latitude")], CultureInfo.InvariantCulture), double.Parse(f[Column("longitude")], CultureInfo.InvariantCulture), f[Column("type")]));
        }
        return rows;
    }

    private static string[] ParseCsvLine(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                current.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        fields.Add(current.ToString());
        return [.. fields];
    }

    /// <summary>A city of one grid over Boston, imported through a manifest like any other.</summary>
    private static string BostonCity()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cityops-boston", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "city.json"), """
            { "name": "Boston (test)", "coordinateSystem": "Wgs84",
              "tree": [ { "code": "city", "name": "Boston", "level": "City" },
                        { "code": "BOS", "name": "Suffolk", "level": "District", "parent": "city" },
                        { "code": "BOS-1", "name": "Boston proper", "level": "Street", "parent": "BOS" } ],
              "grids": "grids.geojson" }
            """);
        File.WriteAllText(Path.Combine(folder, "grids.geojson"), """
            { "type": "FeatureCollection", "features": [ { "type": "Feature",
              "geometry": { "type": "Polygon", "coordinates": [[[-71.2,42.2],[-70.9,42.2],[-70.9,42.45],[-71.2,42.45],[-71.2,42.2]]] },
              "properties": { "code": "BOS-1-001", "name": "Boston grid", "parent": "BOS-1", "team": "PWD" } } ] }
            """);
        return Path.Combine(folder, "city.json");
    }

    [Fact]
    public async Task Boston_cases_filed_through_Open311_with_their_own_deadlines_are_flagged_overdue_exactly_where_Boston_says()
    {
        var requests = Requests();
        var clock = new FakeTimeProvider(requests.Min(r => r.Opened).AddMinutes(-1));
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("city", BostonCity())) { Clock = clock };
        var client = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();
        var services = await client.GetFromJsonAsync<List<Open311Api.Service>>("/open311/v2/services.json");
        Assert.Contains(services!, s => s.service_code == "0801");

        var events = requests.Select(r => (At: r.Opened, Request: r, Close: false))
            .Concat(requests.Where(r => r.Closed is not null).Select(r => (At: r.Closed!.Value, Request: r, Close: true)))
            .OrderBy(e => e.At).ThenBy(e => e.Close)
            .ToList();
        var caseIds = new Dictionary<string, string>();
        foreach (var (at, request, close) in events)
        {
            // Each request is filed, and each closed, at its own time: the case's steps and deadlines read this clock.
            clock.SetUtcNow(at);
            if (!close)
            {
                var form = new Dictionary<string, string>
                {
                    ["service_code"] = "0801",
                    ["lat"] = request.Latitude.ToString(CultureInfo.InvariantCulture),
                    ["long"] = request.Longitude.ToString(CultureInfo.InvariantCulture),
                    ["description"] = request.Type,
                    ["attribute[external_id]"] = request.Id,
                };
                if (request.Target is { } target)
                {
                    form["attribute[expected_datetime]"] = target.ToString("O");
                }
                var created = await client.PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(form));
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                var id = (await created.Content.ReadFromJsonAsync<List<Open311Api.Created>>())!.Single().service_request_id;
                caseIds[request.Id] = id;
                await Step(id, "register", new { actor = "12345 hotline" });
                await Step(id, "dispatch", new { actor = "12345 hotline", team = "Boston PWD" });
            }
            else
            {
                var id = caseIds[request.Id];
                await Step(id, "start-handling", new { actor = "Boston PWD" });
                await Step(id, "feedback", new { actor = "Boston PWD" });
                await Step(id, "pass-check", new { actor = "inspector" });
            }
        }

        // The 77 closed requests that carry a deadline (the other 8 closed ones have none in the file).
        var judged = requests.Where(r => r.Closed is not null && r.Target is not null).ToList();
        Assert.Equal(77, judged.Count);
        foreach (var request in judged)
        {
            var record = (await client.GetFromJsonAsync<CaseRecord>($"/api/cases/{caseIds[request.Id]}", DemoSiloFixture.Json))!;
            Assert.Equal(CaseStatus.Closed, record.Status);
            Assert.Equal(request.Target, record.DisposalDueAt);
            Assert.True((request.OnTime == "OVERDUE") == record.DisposalOverdue,
                $"Boston {request.Id}: file says {request.OnTime}, ours says overdue={record.DisposalOverdue} (target {request.Target:O}, closed {request.Closed:O})");
        }
        Assert.Equal(5, judged.Count(r => r.OnTime == "OVERDUE"));

        var status = await client.GetFromJsonAsync<List<Open311Api.ServiceRequest>>($"/open311/v2/requests/{caseIds[judged[0].Id]}.json");
        Assert.Equal("closed", status!.Single().status);

        async Task Step(string id, string step, object body)
        {
            var response = await client.PostAsJsonAsync($"/api/cases/{id}/{step}", body);
            Assert.True(response.IsSuccessStatusCode, $"{id} {step}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task The_request_list_says_what_each_request_says_follows_its_steps_and_honours_GeoReport_filters_and_pages()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2022, 1, 10, 9, 0, 0, Eastern));
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("city", BostonCity())) { Clock = clock };
        var client = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();

        var pothole = await FileAsync("0801", "Pothole, two feet wide", "12 Main St");
        clock.Advance(TimeSpan.FromHours(1));
        var filedCover = clock.GetUtcNow();
        var cover = await FileAsync("0301", "Manhole cover missing", "1 City Hall Sq");
        clock.Advance(TimeSpan.FromHours(1));
        var sinkhole = await FileAsync("0801", "Sinkhole by the hydrant", "5 Court St");
        clock.Advance(TimeSpan.FromHours(1));
        await Step(pothole, "register", new { actor = "12345 hotline" });
        await Step(pothole, "dispatch", new { actor = "12345 hotline", team = "Boston PWD" });
        foreach (var (step, body) in new (string, object)[] { ("register", new { actor = "12345 hotline" }), ("dispatch", new { actor = "12345 hotline", team = "Boston PWD" }),
            ("start-handling", new { actor = "Boston PWD" }), ("feedback", new { actor = "Boston PWD" }) })
        {
            await Step(cover, step, body);
        }
        clock.Advance(TimeSpan.FromMinutes(20));
        await Step(cover, "pass-check", new { actor = "inspector" });

        // Newest first, each exactly as requests/{id}.json has it: description, status, notes and time of its latest step, address.
        var listed = await ListAsync(string.Empty);
        Assert.Equal([sinkhole, cover, pothole], listed.Select(r => r.service_request_id));
        foreach (var item in listed)
        {
            Assert.Equal((await client.GetFromJsonAsync<List<Open311Api.ServiceRequest>>($"/open311/v2/requests/{item.service_request_id}.json"))!.Single(), item);
        }
        var (listedPothole, listedCover, listedSinkhole) = (listed[2], listed[1], listed[0]);
        Assert.Equal(("open", "派遣 Dispatched: Boston PWD", "Boston PWD", filedCover.AddHours(2)),
            (listedPothole.status, listedPothole.status_notes, listedPothole.agency_responsible, listedPothole.updated_datetime));
        Assert.Equal(("Pothole, two feet wide", "12 Main St"), (listedPothole.description, listedPothole.address));
        Assert.Equal(("closed", "核查通过 Check passed", clock.GetUtcNow()), (listedCover.status, listedCover.status_notes, listedCover.updated_datetime));
        Assert.Equal(("open", "上报 Reported", listedSinkhole.requested_datetime), (listedSinkhole.status, listedSinkhole.status_notes, listedSinkhole.updated_datetime));

        Assert.Equal([cover], await IdsAsync("?status=closed"));
        Assert.Equal([sinkhole, pothole], await IdsAsync("?status=open"));
        Assert.Equal([sinkhole, cover, pothole], await IdsAsync("?status=open,closed"));
        Assert.Equal([sinkhole, pothole], await IdsAsync("?service_code=0801"));
        Assert.Equal([cover], await IdsAsync("?service_code=0301&status=closed"));
        var coverFiled = Uri.EscapeDataString(filedCover.ToString("O"));
        Assert.Equal([cover], await IdsAsync($"?start_date={coverFiled}&end_date={coverFiled}"));
        Assert.Equal([sinkhole, cover], await IdsAsync($"?start_date={coverFiled}"));
        Assert.Equal([cover, pothole], await IdsAsync($"?end_date={coverFiled}"));
        // '+' unencoded in a query string arrives as a space, and is read as the offset it was.
        Assert.Equal([cover], await IdsAsync($"?start_date={filedCover:yyyy-MM-ddTHH:mm:sszzz}&end_date={coverFiled}"));

        var first = await client.GetAsync("/open311/v2/requests.json?page_size=2&status=open,closed");
        Assert.Equal([sinkhole, cover], (await first.Content.ReadFromJsonAsync<List<Open311Api.ServiceRequest>>())!.Select(r => r.service_request_id));
        var next = first.Headers.GetValues("Link").Single();
        Assert.Equal("</open311/v2/requests.json?page_size=2&status=open,closed&page=2>; rel=\"next\"", Uri.UnescapeDataString(next));
        var second = await client.GetAsync("/open311/v2/requests.json?page_size=2&status=open,closed&page=2");
        Assert.Equal([pothole], (await second.Content.ReadFromJsonAsync<List<Open311Api.ServiceRequest>>())!.Select(r => r.service_request_id));
        Assert.False(second.Headers.Contains("Link"));

        // Without dates the search covers the last 90 days: a hundred days on, these requests are out of it.
        clock.Advance(TimeSpan.FromDays(100));
        Assert.Empty(await IdsAsync(string.Empty));
        Assert.Equal([sinkhole, cover, pothole], await IdsAsync($"?start_date={Uri.EscapeDataString(filedCover.AddDays(-1).ToString("O"))}"));

        async Task<string> FileAsync(string service, string description, string address)
        {
            var created = await client.PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["service_code"] = service, ["lat"] = "42.3601", ["long"] = "-71.0589", ["description"] = description, ["address_string"] = address,
            }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            return (await created.Content.ReadFromJsonAsync<List<Open311Api.Created>>())!.Single().service_request_id;
        }

        async Task<List<Open311Api.ServiceRequest>> ListAsync(string query) =>
            (await client.GetFromJsonAsync<List<Open311Api.ServiceRequest>>($"/open311/v2/requests.json{query}"))!;

        async Task<List<string>> IdsAsync(string query) => [.. (await ListAsync(query)).Select(r => r.service_request_id)];

        async Task Step(string id, string step, object body)
        {
            var response = await client.PostAsJsonAsync($"/api/cases/{id}/{step}", body);
            Assert.True(response.IsSuccessStatusCode, $"{id} {step}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_bad_request_list_parameter_is_refused_naming_the_parameter_and_its_value()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("city", BostonCity()));
        var client = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();

        foreach (var (query, message) in new[]
        {
            ("status=pending", "status 'pending' must be open or closed"),
            ("status=open,done", "status 'done' must be open or closed"),
            ("service_code=9999", "service_code '9999' is not a service"),
            ("start_date=yesterday", "start_date 'yesterday' is not an ISO 8601 date and time with an offset"),
            ("end_date=2022-01-10", "end_date '2022-01-10' is not an ISO 8601 date and time with an offset"),
            ("start_date=2022-01-01T00:00:00Z&end_date=2022-06-01T00:00:00Z", "spans 151 days; GeoReport v2 searches at most 90"),
            ("start_date=2022-02-01T00:00:00Z&end_date=2022-01-01T00:00:00Z", "is before start_date"),
            ("page=0", "page '0' must be a whole number from 1"),
            ("page=two", "page 'two' must be a whole number from 1"),
            ("page_size=5000", "page_size '5000' must be a whole number from 1 to 1000"),
        })
        {
            var response = await client.GetAsync($"/open311/v2/requests.json?{query}");
            Assert.True(HttpStatusCode.BadRequest == response.StatusCode, $"{query}: {(int)response.StatusCode}");
            var error = (await response.Content.ReadFromJsonAsync<List<Open311Api.Open311Error>>())!.Single();
            Assert.Equal(400, error.code);
            Assert.Contains(message, error.description);
        }
    }

    [Theory]
    [InlineData("lat=42.36&long=-71.06", "service_code is required")]
    [InlineData("service_code=9999&lat=42.36&long=-71.06", "service_code '9999' is not a service")]
    [InlineData("service_code=0801&lat=north", "lat 'north' is not a number")]
    [InlineData("service_code=0801&lat=42.36", "long is required (WGS84 degrees")]
    [InlineData("service_code=0801&lat=NaN&long=-71.06", "lat 'NaN' is not a finite number")]
    [InlineData("service_code=0801&lat=200&long=500", "lat 200 is outside -90..90")]
    [InlineData("service_code=0801&lat=42.36&long=500", "long 500 is outside -180..180")]
    [InlineData("service_code=0801&lat=-71.06&long=42.36", "lat -71.06, long 42.36 is in no grid of the city; lat and long look swapped: lat 42.36, long -71.06 is in the city")]
    [InlineData("service_code=0801&lat=31.2&long=121.5", "lat 31.2, long 121.5 is in no grid of the city")]
    [InlineData("service_code=0801&lat=42.36&long=-71.06&attribute%5Bexpected_datetime%5D=soon", "attribute[expected_datetime] 'soon' is not an ISO 8601 date and time with an offset")]
    [InlineData("service_code=0801&lat=42.36&long=-71.06&attribute%5Bexpected_datetime%5D=10%3A00", "attribute[expected_datetime] '10:00' is not an ISO 8601 date and time with an offset")]
    public async Task A_bad_Open311_request_is_refused_with_the_spec_error_and_the_reason(string form, string message)
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("city", BostonCity()));
        var client = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();

        var response = await client.PostAsync("/open311/v2/requests.json", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<List<Open311Api.Open311Error>>())!.Single();
        Assert.Equal(400, error.code);
        Assert.Contains(message, error.description);
    }
}
