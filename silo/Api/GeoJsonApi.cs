using System.Text.Json;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Spatial;
using CityOps.Twin.Silo.City;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace CityOps.Twin.Silo.Api;

/// <summary>
/// GeoJSON exports of grids, devices and open cases, written by NetTopologySuite.IO.GeoJSON4STJ as RFC 7946 asks: WGS84,
/// [longitude, latitude], exterior rings counter-clockwise and holes clockwise (<see cref="GeoJsonOptions.Rfc7946"/>), no "crs".
/// </summary>
public static class GeoJsonApi
{
    private const string ContentType = "application/geo+json";

    public static RouteGroupBuilder MapGeoJsonApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/geojson").WithTags("GeoJSON").RequireAuthorization();
        api.MapGet("/grids", (CityRegistry city) => Write(city.City.Grids.Select(Grid)));
        api.MapGet("/devices", (CityRegistry city) => Write(
            city.City.Sensors.Select(s => Device(s.SensorId, DeviceKind.Sensor, s.Name, s.Position, s.GridCode, s.Kind.ToString()))
                .Concat(city.City.Cameras.Select(c => Device(c.CameraId, DeviceKind.Camera, c.Name, c.Position, c.GridCode, null)))
                .Concat(city.City.Elevators.Select(e => Device(e.ElevatorId, DeviceKind.Elevator, e.Building, e.Position, e.GridCode, null)))));
        api.MapGet("/cases", async (CityRegistry city, IClusterClient client) =>
        {
            var cases = (await Task.WhenAll(city.City.Grids.Select(g => client.GetGrain<IGridGrain>(g.Code).GetCases())))
                .SelectMany(c => c).Where(c => c.IsOpen).ToList();
            return Write(cases.Select(Case));
        });
        return api;
    }

    private static IFeature Grid(AreaDefinition grid) => Feature(grid.Code, DemoCity.Shape(grid.Outline), new AttributesTable
    {
        { "code", grid.Code },
        { "name", grid.Name },
        { "level", grid.Level.ToString() },
        { "parent", grid.ParentCode },
        { "team", grid.Team },
    });

    private static IFeature Case(CaseRecord record) => Feature(record.CaseId, Point(record.Position), new AttributesTable
    {
        { "caseId", record.CaseId },
        { "title", record.Title },
        { "category", record.CategoryCode },
        { "urgency", record.Urgency.ToString() },
        { "status", record.Status.ToString() },
        { "grid", record.GridCode },
        { "overdue", record.StepOverdue || record.DisposalOverdue },
    });

    private static IFeature Device(string id, DeviceKind kind, string name, GeoPoint position, string grid, string? sensorKind)
    {
        var properties = new AttributesTable { { "id", id }, { "kind", kind.ToString() } };
        if (sensorKind is not null)
        {
            properties.Add("sensorKind", sensorKind);
        }
        properties.Add("name", name);
        properties.Add("grid", grid);
        return Feature(id, Point(position), properties);
    }

    /// <summary>A feature whose GeoJSON "id" is <paramref name="id"/>: NTS writes the id from this reserved attribute, not in "properties".</summary>
    private static Feature Feature(string id, Geometry geometry, AttributesTable properties)
    {
        properties.Add(GeoJsonConverterFactory.DefaultIdPropertyName, id);
        return new Feature(geometry, properties);
    }

    private static Point Point(GeoPoint position) => Wgs84.Factory.CreatePoint(new Coordinate(position.Longitude, position.Latitude));

    private static IResult Write(IEnumerable<IFeature> features) => Results.Stream(async stream =>
    {
        var collection = new FeatureCollection();
        foreach (var feature in features)
        {
            collection.Add(feature);
        }
        await JsonSerializer.SerializeAsync(stream, collection, GeoJsonOptions.Rfc7946);
    }, ContentType);
}
