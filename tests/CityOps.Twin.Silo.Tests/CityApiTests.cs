using System.Net;
using System.Net.Http.Json;
using static System.FormattableString;
using System.Text.Json;
using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Silo.Api;
using CityOps.Twin.Silo.City;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

[Collection(DemoSiloCollection.Name)]
public sealed class CityApiTests(DemoSiloFixture fixture)
{
    private CityRegistry City => fixture.Silo.Services.GetRequiredService<CityRegistry>();

    [Fact]
    public void The_demo_city_has_the_promised_density_and_every_device_lies_in_its_grid()
    {
        var city = City.City;

        Assert.InRange(city.Grids.Count(), 300, 10_000);
        Assert.True(city.Cameras.Count >= 1_000 && city.Sensors.Count >= 2_000 && city.Elevators.Count >= 500);
        Assert.All(city.Sensors, s => Assert.Equal(s.GridCode, City.GridAt(s.Position)));
        Assert.All(city.Cameras, c => Assert.Equal(c.GridCode, City.GridAt(c.Position)));
        Assert.Equal(city.Fingerprint(), DemoCity.Build().Fingerprint());
    }

    /// <summary>A click in the hole inside 三林镇: no grid's polygon holds it (it was filed as 三林镇 第318网格, 300 m off).</summary>
    private static readonly GeoPoint SanlinHole = new(121.49659, 31.14307);

    [Fact]
    public async Task A_point_is_in_a_grid_only_if_the_grids_polygon_holds_it_give_or_take_the_tolerance_and_elsewhere_it_is_refused_lat_first()
    {
        // The grid border nearest the hole point, and points on the way from it into the hole.
        var hole = NetTopologySuite.Geometries.GeometryFactory.Default.CreatePoint(new NetTopologySuite.Geometries.Coordinate(SanlinHole.Longitude, SanlinHole.Latitude));
        var (grid, border) = City.City.Grids
            .Select(g => (g.Code, Border: NetTopologySuite.Operation.Distance.DistanceOp.NearestPoints(DemoCity.Shape(g.Outline), hole)[0]))
            .Select(g => (g.Code, Border: new GeoPoint(g.Border.X, g.Border.Y)))
            .MinBy(g => g.Border.DistanceTo(SanlinHole));
        var gap = border.DistanceTo(SanlinHole);
        Assert.True(gap > 20, $"the hole point lies {gap:0.0} m from the nearest grid");
        GeoPoint Outside(double metres) => new(
            border.Longitude + (SanlinHole.Longitude - border.Longitude) * metres / gap, border.Latitude + (SanlinHole.Latitude - border.Latitude) * metres / gap);

        Assert.Null(City.GridAt(SanlinHole));
        Assert.Null(City.GridAt(Outside(10)));
        Assert.Equal(grid, City.GridAt(Outside(1)));
        Assert.Null(new CityRegistry(City.City, gridToleranceMeters: 0).GridAt(Outside(1)));
        var inside = City.City.Sensors.First(s => s.GridCode == grid);
        Assert.Equal(grid, City.GridAt(inside.Position));

        var refused = await fixture.Client.PostAsJsonAsync("/api/cases", new { title = "井盖缺失", categoryCode = "0301", longitude = SanlinHole.Longitude, latitude = SanlinHole.Latitude });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("lat 31.14307, long 121.49659 is in no grid of the city.", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        var open311 = await fixture.Client.PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["service_code"] = "0301", ["lat"] = "31.14307", ["long"] = "121.49659",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, open311.StatusCode);
        Assert.Contains("lat 31.14307, long 121.49659 is in no grid of the city", await open311.Content.ReadAsStringAsync());
        var swapped = await fixture.Client.PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["service_code"] = "0301", ["lat"] = Invariant($"{inside.Position.Longitude:R}"), ["long"] = Invariant($"{inside.Position.Latitude:R}"),
        }));
        Assert.Contains(Invariant($"lat {inside.Position.Longitude:R} is outside -90..90; lat and long look swapped: lat {inside.Position.Latitude:R}, long {inside.Position.Longitude:R} is in the city"),
            await swapped.Content.ReadAsStringAsync());
        var accepted = await fixture.Client.PostAsJsonAsync("/api/cases", new { title = "井盖缺失", categoryCode = "0301", longitude = inside.Position.Longitude, latitude = inside.Position.Latitude });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(grid, (await accepted.Content.ReadFromJsonAsync<CityOps.Twin.Contracts.Cases.CaseRecord>(DemoSiloFixture.Json))!.GridCode);
    }

    [Fact]
    public async Task The_three_nearest_cameras_come_with_distance_and_live_status_and_equal_a_brute_force_search()
    {
        var point = new GeoPoint(121.3905, 31.1462);

        var nearest = await fixture.GetAsync<List<CityOps.Twin.Contracts.City.NearbyCamera>>("/api/cameras/nearest?lon=121.3905&lat=31.1462");

        var bruteForce = City.City.Cameras.OrderBy(c => point.DistanceTo(c.Position)).Take(3).Select(c => c.CameraId);
        Assert.Equal(bruteForce, nearest.Select(n => n.CameraId));
        Assert.All(nearest, n => Assert.True(n.Online));
        Assert.True(nearest[0].DistanceMeters <= nearest[1].DistanceMeters);
    }

    [Fact]
    public async Task The_city_area_rolls_up_every_device_and_drills_down_to_its_districts()
    {
        var devices = City.City.Sensors.Count + City.City.Cameras.Count + City.City.Elevators.Count;
        using var rolledUp = fixture.Silo.Changes.Expect(
            changes => changes.Signs.Any(signs => signs.Code == IAreaGrain.CityCode && signs.Counters.Devices == devices), "the city's vital signs over every device");
        if ((await fixture.GetAsync<CityApi.AreaView>("/api/areas/city")).VitalSigns.Counters.Devices != devices)
        {
            await rolledUp.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var city = await fixture.GetAsync<CityApi.AreaView>("/api/areas/city");
        var districts = await fixture.GetAsync<List<VitalSigns>>("/api/areas/city/children");

        Assert.Equal(AreaLevel.City, city.Area.Level);
        Assert.Equal(["310106", "310112", "310115", "310118"], districts.Select(d => d.Code));
        Assert.Equal(devices, city.VitalSigns.Counters.Devices);
        Assert.Equal(devices, districts.Sum(d => d.Counters.Devices));
    }

    [Fact]
    public async Task The_grids_export_is_RFC_7946_GeoJSON_with_counter_clockwise_outer_rings()
    {
        var response = await fixture.Client.GetAsync("/api/geojson/grids");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("application/geo+json", response.Content.Headers.ContentType!.MediaType);
        var features = document.RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(City.City.Grids.Count(), features.Count);
        foreach (var feature in features)
        {
            var ring = feature.GetProperty("geometry").GetProperty("coordinates")[0].EnumerateArray().Select(p => (X: p[0].GetDouble(), Y: p[1].GetDouble())).ToList();
            Assert.Equal(ring[0], ring[^1]);
            Assert.True(ring.Zip(ring.Skip(1), (a, b) => a.X * b.Y - b.X * a.Y).Sum() > 0, $"{feature.GetProperty("id")} is clockwise");
        }
    }

    [Fact]
    public async Task The_devices_export_is_RFC_7946_GeoJSON_longitude_first_with_no_crs_member()
    {
        using var document = JsonDocument.Parse(await fixture.Client.GetStringAsync("/api/geojson/devices"));

        var root = document.RootElement;
        Assert.Equal("FeatureCollection", root.GetProperty("type").GetString());
        Assert.False(root.TryGetProperty("crs", out _));
        var positions = City.City.Sensors.Select(s => (s.SensorId, s.Position)).Concat(City.City.Cameras.Select(c => (c.CameraId, c.Position)))
            .Concat(City.City.Elevators.Select(e => (e.ElevatorId, e.Position))).ToDictionary(d => d.Item1, d => d.Position);
        var features = root.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(positions.Count, features.Count);
        foreach (var feature in features)
        {
            var id = feature.GetProperty("id").GetString()!;
            var geometry = feature.GetProperty("geometry");
            Assert.False(feature.TryGetProperty("crs", out _) || geometry.TryGetProperty("crs", out _), $"{id} carries a crs");
            Assert.Equal("Point", geometry.GetProperty("type").GetString());
            var coordinates = geometry.GetProperty("coordinates");
            Assert.Equal(positions[id], new GeoPoint(coordinates[0].GetDouble(), coordinates[1].GetDouble()));
            Assert.Equal(id, feature.GetProperty("properties").GetProperty("id").GetString());
        }
        var sensor = features.First(f => f.GetProperty("properties").GetProperty("kind").GetString() == "Sensor").GetProperty("properties");
        Assert.Equal(["id", "kind", "sensorKind", "name", "grid"], sensor.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_ingestion_case_and_query_endpoints()
    {
        using var document = JsonDocument.Parse(await fixture.Client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/api/ingest/readings", paths);
        Assert.Contains("/api/cases/{id}/dispatch", paths);
        Assert.Contains("/api/cameras/nearest", paths);
        Assert.Contains("/api/areas/{code}", paths);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client.GetAsync("/api/geojson/devices")).StatusCode);
    }
}
