using System.Globalization;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Signs;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Security;

namespace CityOps.Twin.Silo.Api;

/// <summary>
/// Open311 GeoReport v2 (JSON) for hotline 12345 and citizen apps: the services are the case catalogue; a new
/// request becomes a case (source Hotline12345) in the grid of its point. A request may bring its own deadline
/// as attribute[expected_datetime] (ISO 8601), the disposal deadline of its case. Errors follow the spec:
/// a status code and [{"code", "description"}].
/// </summary>
public static class Open311Api
{
    public sealed record Service(string service_code, string service_name, string description, bool metadata, string type, string keywords, string group);

    public sealed record ServiceRequest(
        string service_request_id, string status, string? status_notes, string service_name, string service_code, string description,
        DateTimeOffset requested_datetime, DateTimeOffset updated_datetime, DateTimeOffset? expected_datetime, string? address, double lat, double @long);

    public sealed record Created(string service_request_id, string service_notice);

    public sealed record Open311Error(int code, string description);

    public static RouteGroupBuilder MapOpen311Api(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("open311/v2").WithTags("Open311 GeoReport v2");
        api.MapGet("/services.json", (CaseCategoryCatalogue catalogue) => Results.Ok(catalogue.Categories.Select(c =>
            new Service(c.Code, c.Name, $"{c.Major}: {c.Name}", false, "realtime", c.Major, c.Major.Split(' ')[0]))));
        api.MapPost("/requests.json", CreateAsync).DisableAntiforgery();
        api.MapGet("/requests.json", ListAsync);
        api.MapGet("/requests/{id}.json", GetAsync);
        return api;
    }

    internal static async Task<IResult> CreateAsync(HttpRequest request, CaseCategoryCatalogue catalogue, ICaseIntake intake, IngestionKeys keys, IAuditLog audit)
    {
        if (!request.HasFormContentType)
        {
            return Error(StatusCodes.Status400BadRequest, "a request is sent as application/x-www-form-urlencoded, as GeoReport v2 says");
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync();
        }
        catch (Exception exception) when (exception is InvalidDataException or BadHttpRequestException)
        {
            return Error(StatusCodes.Status400BadRequest, $"the form cannot be read: {exception.Message}");
        }
        string? Field(string name) => form.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString() : null;

        // GeoReport v2 sends the key as the api_key field; the X-Api-Key header is taken too.
        var (key, refusal) = await keys.AdmitAsync(request.HttpContext, Field("api_key") ?? request.Headers[IngestionKeys.Header].FirstOrDefault(), "open311.request");
        if (key is null)
        {
            return Error(refusal!.Status, refusal.Status == StatusCodes.Status429TooManyRequests ? "too many requests for this api_key; retry later" : "api_key is missing, unknown or revoked");
        }
        var actor = IngestionKeys.Actor(key, request.HttpContext);
        if (!key.Open311)
        {
            await audit.AppendAsync(AuditRecord.Of(actor, "open311.request", null, "forbidden", detail: "the key may not open Open311 requests"));
            return Error(StatusCodes.Status403Forbidden, "this api_key may not open service requests");
        }

        var serviceCode = Field("service_code");
        if (serviceCode is null || !catalogue.TryGet(serviceCode, out var category))
        {
            return Error(StatusCodes.Status400BadRequest, serviceCode is null ? "service_code is required" : $"service_code '{serviceCode}' is not a service; see services.json");
        }
        if (!double.TryParse(Field("lat"), NumberStyles.Float, CultureInfo.InvariantCulture, out var lat)
            || !double.TryParse(Field("long"), NumberStyles.Float, CultureInfo.InvariantCulture, out var lon)
            || !new GeoPoint(lon, lat).IsValid)
        {
            return Error(StatusCodes.Status400BadRequest, "lat and long (WGS84) are required");
        }
        DateTimeOffset? due = null;
        if (Field("attribute[expected_datetime]") is { } dueText)
        {
            if (!JsonItems.TryIsoTime(dueText, out var parsed))
            {
                return Error(StatusCodes.Status400BadRequest, $"attribute[expected_datetime] '{dueText}' is not an ISO 8601 date and time with an offset (e.g. 2026-07-27T18:00:00+08:00)");
            }
            due = parsed;
        }

        var reporter = string.Join(' ', new[] { Field("first_name"), Field("last_name") }.Where(n => n is not null)) is { Length: > 0 } name
            ? name
            : Field("email") ?? "Open311";
        try
        {
            var record = await intake.ReportAsync(new CaseReport(
                $"{category.Name}{(Field("address_string") is { } address ? $": {address}" : string.Empty)}",
                Field("description") ?? string.Empty, category.Code, CaseSource.Hotline12345, new GeoPoint(lon, lat), reporter,
                ExternalReference: Field("attribute[external_id]"), DisposalDueOverride: due));
            await audit.AppendAsync(AuditRecord.Of(actor, "case.report", record.CaseId, "ok", detail: $"Open311 {category.Code} from {reporter}"));
            return Results.Json(new[] { new Created(record.CaseId, "Thank you. 感谢您的反映, 您的诉求已受理.") }, statusCode: StatusCodes.Status201Created);
        }
        catch (CaseInputException exception)
        {
            return Error(StatusCodes.Status400BadRequest, exception.Message);
        }
        catch (TwinNotDurableException exception)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, exception.Message);
        }
    }

    internal static async Task<IResult> GetAsync(string id, IClusterClient client, CaseCategoryCatalogue catalogue) =>
        await client.GetGrain<ICaseGrain>(id).Get() is { } record
            ? Results.Ok(new[] { Describe(record, catalogue) })
            : Error(StatusCodes.Status404NotFound, $"no service request {id}");

    internal static async Task<IResult> ListAsync(string? service_request_id, string? status, IClusterClient client, CityRegistry city, CaseCategoryCatalogue catalogue)
    {
        if (status is not (null or "open" or "closed"))
        {
            return Error(StatusCodes.Status400BadRequest, $"status '{status}' must be open or closed");
        }
        IEnumerable<CaseRecord> records;
        if (service_request_id is not null)
        {
            var ids = service_request_id.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            records = (await Task.WhenAll(ids.Select(i => client.GetGrain<ICaseGrain>(i).Get()))).OfType<CaseRecord>();
        }
        else
        {
            records = (await Task.WhenAll(city.City.Grids.Select(g => client.GetGrain<IGridGrain>(g.Code).GetCases()))).SelectMany(c => c)
                .Where(c => c.Source == CaseSource.Hotline12345);
        }
        return Results.Ok(records.Select(r => Describe(r, catalogue)).Where(r => status is null || r.status == status).OrderByDescending(r => r.requested_datetime));
    }

    private static ServiceRequest Describe(CaseRecord record, CaseCategoryCatalogue catalogue) => new(
        record.CaseId,
        record.IsOpen ? "open" : "closed",
        record.Timeline.LastOrDefault()?.What,
        catalogue.TryGet(record.CategoryCode, out var category) ? category.Name : record.CategoryCode,
        record.CategoryCode,
        record.Description,
        record.ReportedAt,
        record.Timeline.LastOrDefault()?.At ?? record.ReportedAt,
        record.DisposalDueAt,
        record.Title,
        record.Position.Latitude,
        record.Position.Longitude);

    private static IResult Error(int status, string description) => Results.Json(new[] { new Open311Error(status, description) }, statusCode: status);
}
