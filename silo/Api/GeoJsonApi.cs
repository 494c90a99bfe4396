using System.Text.Json;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Silo.City;

namespace CityOps.Twin.Silo.Api;

/// <summary>GeoJSON (RFC 7946: WGS84, [longitude, latitude], outer rings counter-clockwise) exports of grids, devices and open cases.</summary>
public static class GeoJsonApi
{
    private const string ContentType = "application/geo+json";

    public static RouteGroupBuilder MapGeoJsonApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/geojson").WithTags("GeoJSON").RequireAuthorization();
        api.MapGet("/grids", (CityRegistry city) => Write(writer =>
        {
            foreach (var grid in city.City.Grids)
            {
                Feature(writer, grid.Code, w => Polygon(w, grid.Outline), w =>
                {
                    w.WriteString("code", grid.Code);
                    w.WriteString("name", grid.Name);
                    w.WriteString("level", grid.Level.ToString());
                    w.WriteString("parent", grid.ParentCode);
                    w.WriteString("team", grid.Team);
                });
            }
        }));
        api.MapGet("/devices", (CityRegistry city) => Write(writer =>
        {
            foreach (var sensor in city.City.Sensors)
            {
                Device(writer, sensor.SensorId, DeviceKind.Sensor, sensor.Name, sensor.Position, sensor.GridCode, sensor.Kind.ToString());
            }
            foreach (var camera in city.City.Cameras)
            {
                Device(writer, camera.CameraId, DeviceKind.Camera, camera.Name, camera.Position, camera.GridCode, null);
            }
            foreach (var elevator in city.City.Elevators)
            {
                Device(writer, elevator.ElevatorId, DeviceKind.Elevator, elevator.Building, elevator.Position, elevator.GridCode, null);
            }
        }));
        api.MapGet("/cases", async (CityRegistry city, IClusterClient client) =>
        {
            var cases = (await Task.WhenAll(city.City.Grids.Select(g => client.GetGrain<IGridGrain>(g.Code).GetCases()))).SelectMany(c => c).Where(c => c.IsOpen).ToList();
            return Write(writer =>
            {
                foreach (var record in cases)
                {
                    Feature(writer, record.CaseId, w => Point(w, record.Position), w =>
                    {
                        w.WriteString("caseId", record.CaseId);
                        w.WriteString("title", record.Title);
                        w.WriteString("category", record.CategoryCode);
                        w.WriteString("urgency", record.Urgency.ToString());
                        w.WriteString("status", record.Status.ToString());
                        w.WriteString("grid", record.GridCode);
                        w.WriteBoolean("overdue", record.StepOverdue || record.DisposalOverdue);
                    });
                }
            });
        });
        return api;
    }

    private static void Device(Utf8JsonWriter writer, string id, DeviceKind kind, string name, GeoPoint position, string grid, string? sensorKind) =>
        Feature(writer, id, w => Point(w, position), w =>
        {
            w.WriteString("id", id);
            w.WriteString("kind", kind.ToString());
            if (sensorKind is not null)
            {
                w.WriteString("sensorKind", sensorKind);
            }
            w.WriteString("name", name);
            w.WriteString("grid", grid);
        });

    private static IResult Write(Action<Utf8JsonWriter> features) => Results.Stream(async stream =>
    {
        await using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteStartArray("features");
        features(writer);
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync();
    }, ContentType);

    private static void Feature(Utf8JsonWriter writer, string id, Action<Utf8JsonWriter> geometry, Action<Utf8JsonWriter> properties)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Feature");
        writer.WriteString("id", id);
        writer.WritePropertyName("geometry");
        geometry(writer);
        writer.WriteStartObject("properties");
        properties(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void Point(Utf8JsonWriter writer, GeoPoint point)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Point");
        writer.WriteStartArray("coordinates");
        writer.WriteNumberValue(point.Longitude);
        writer.WriteNumberValue(point.Latitude);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Polygon(Utf8JsonWriter writer, IReadOnlyList<IReadOnlyList<GeoPoint>> rings)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Polygon");
        writer.WriteStartArray("coordinates");
        for (var i = 0; i < rings.Count; i++)
        {
            // RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
            var ring = IsCounterClockwise(rings[i]) == (i == 0) ? rings[i] : rings[i].Reverse().ToList();
            writer.WriteStartArray();
            foreach (var point in ring)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(point.Longitude);
                writer.WriteNumberValue(point.Latitude);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static bool IsCounterClockwise(IReadOnlyList<GeoPoint> ring)
    {
        double area = 0;
        for (var i = 0; i < ring.Count - 1; i++)
        {
            area += ring[i].Longitude * ring[i + 1].Latitude - ring[i + 1].Longitude * ring[i].Latitude;
        }
        return area > 0;
    }
}
