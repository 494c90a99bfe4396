using System.Net;
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
