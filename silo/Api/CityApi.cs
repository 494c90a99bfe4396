using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Silo.City;

namespace CityOps.Twin.Silo.Api;

/// <summary>Areas with their vital signs, devices, and the cameras nearest a point.</summary>
public static class CityApi
{
    public sealed record AreaView(AreaDefinition Area, VitalSigns VitalSigns);

    public static IEndpointRouteBuilder MapCityApi(this IEndpointRouteBuilder app)
    {
        var areas = app.MapGroup("api/areas").WithTags("Areas and vital signs").RequireAuthorization();
        areas.MapGet("/{code}", GetAreaAsync).WithSummary("An area's definition and vital signs, with the reasons behind each index.");
        areas.MapGet("/{code}/children", GetChildrenAsync).WithSummary("The vital signs of an area's children, for drilling down.");

        var devices = app.MapGroup("api/devices").WithTags("Devices").RequireAuthorization();
        devices.MapGet("/{id}", GetDeviceAsync).WithSummary("A sensor's, camera's or elevator's file and live state.");

        app.MapGet("api/cameras/nearest", NearestCamerasAsync).WithTags("Devices").RequireAuthorization()
            .WithSummary("The cameras nearest a WGS84 point (default three), with distance and live status; online=true for online ones only.");
        return app;
    }

    internal static async Task<IResult> GetAreaAsync(string code, CityRegistry city, IClusterClient client)
    {
        if (!city.Areas.TryGetValue(code, out var area))
        {
            return Results.Problem($"'{code}' is not an area of the city.", statusCode: StatusCodes.Status404NotFound, title: "Unknown area");
        }
        var signs = area.Level == AreaLevel.Grid
            ? await client.GetGrain<IGridGrain>(code).GetVitalSigns()
            : await client.GetGrain<IAreaGrain>(code).GetVitalSigns();
        return Results.Ok(new AreaView(area, signs));
    }

    internal static async Task<IResult> GetChildrenAsync(string code, CityRegistry city, IClusterClient client)
    {
        if (!city.Areas.TryGetValue(code, out var area))
        {
            return Results.Problem($"'{code}' is not an area of the city.", statusCode: StatusCodes.Status404NotFound, title: "Unknown area");
        }
        return area.Level == AreaLevel.Grid ? Results.Ok(Array.Empty<VitalSigns>()) : Results.Ok(await client.GetGrain<IAreaGrain>(code).GetChildren());
    }

    internal static async Task<IResult> GetDeviceAsync(string id, CityRegistry city, IClusterClient client) => city.KindOf(id) switch
    {
        DeviceKind.Sensor => Results.Ok(await client.GetGrain<ISensorGrain>(id).GetSnapshot()),
        DeviceKind.Camera => Results.Ok(await client.GetGrain<ICameraGrain>(id).GetSnapshot()),
        DeviceKind.Elevator => Results.Ok(await client.GetGrain<IElevatorGrain>(id).GetSnapshot()),
        _ => Results.Problem($"'{id}' is not a device of the city.", statusCode: StatusCodes.Status404NotFound, title: "Unknown device"),
    };

    internal static async Task<IResult> NearestCamerasAsync(double? lon, double? lat, int? count, bool? online, ICityDirectory city)
    {
        var point = new GeoPoint(lon ?? double.NaN, lat ?? double.NaN);
        if (!point.IsValid)
        {
            return Results.Problem("lon and lat (WGS84) are required and must be valid.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid point");
        }
        if (count is < 1 or > 50)
        {
            return Results.Problem($"count {count} must be between 1 and 50.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid count");
        }
        return Results.Ok(await city.NearestCamerasAsync(point, count ?? 3, online == true));
    }
}
