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
        string? agency_responsible, DateTimeOffset requested_datetime, DateTimeOffset updated_datetime, DateTimeOffset? expected_datetime,
        string? address, double lat, double @long);

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
        if (!TryDegrees(Field("lat"), "lat", "31.2050", out var lat, out var problem) || !TryDegrees(Field("long"), "long", "121.6050", out var lon, out problem))
        {
            return Error(StatusCodes.Status400BadRequest, problem!);
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
                ExternalReference: Field("attribute[external_id]"), DisposalDueOverride: due, Address: Field("address_string")));
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

    /// <summary>A coordinate as a number; its range, and whether the point is in the city, the case intake judges.</summary>
    private static bool TryDegrees(string? text, string name, string example, out double value, out string? problem)
    {
        value = double.NaN;
        problem = text is null ? $"{name} is required (WGS84 degrees, e.g. {name}={example})"
            : !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) ? $"{name} '{text}' is not a number"
            : !double.IsFinite(value) ? $"{name} '{text}' is not a finite number"
            : null;
        return problem is null;
    }

    internal static async Task<IResult> GetAsync(string id, IClusterClient client, CaseCategoryCatalogue catalogue) =>
        await client.GetGrain<ICaseGrain>(id).Get() is { } record
            ? Results.Ok(new[] { Describe(record, catalogue) })
            : Error(StatusCodes.Status404NotFound, $"no service request {id}");

    /// <summary>
    /// GET requests.json as GeoReport v2 reads it: the requests named by service_request_id (the other parameters
    /// then ignored), else the hotline's requests whose requested_datetime lies from start_date to end_date (at most
    /// 90 days; the last 90 days by default), of the statuses and service codes asked (comma-separated; all by
    /// default), newest first, a page of page_size (1000 by default and at most) at a time: page 1, 2, ... A full page
    /// carries a Link header to the next. The grids' copies choose the page; each request on it is read whole from its
    /// case, so the list says exactly what requests/{id}.json says.
    /// </summary>
    internal static async Task<IResult> ListAsync(HttpRequest request, IClusterClient client, CityRegistry city, CaseCategoryCatalogue catalogue, TimeProvider time)
    {
        var query = request.Query;
        string? Parameter(string name) => query.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString().Trim() : null;
        static string[] Values(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        if (Parameter("service_request_id") is { } requested)
        {
            var named = await Task.WhenAll(Values(requested).Distinct(StringComparer.Ordinal).Select(id => client.GetGrain<ICaseGrain>(id).Get()));
            return Results.Ok(named.OfType<CaseRecord>().Select(r => Describe(r, catalogue)).ToList());
        }

        var statuses = Parameter("status") is { } statusText ? Values(statusText) : ["open", "closed"];
        if (statuses.FirstOrDefault(s => s is not ("open" or "closed")) is { } badStatus)
        {
            return Error(StatusCodes.Status400BadRequest, $"status '{badStatus}' must be open or closed (or both, comma-separated)");
        }
        var codes = Parameter("service_code") is { } codeText ? Values(codeText) : null;
        if (codes?.FirstOrDefault(c => !catalogue.TryGet(c, out _)) is { } badCode)
        {
            return Error(StatusCodes.Status400BadRequest, $"service_code '{badCode}' is not a service; see services.json");
        }

        DateTimeOffset? start = null, end = null;
        foreach (var (name, set) in new (string, Action<DateTimeOffset>)[] { ("start_date", t => start = t), ("end_date", t => end = t) })
        {
            if (Parameter(name) is not { } text)
            {
                continue;
            }
            // An unencoded "+08:00" arrives as " 08:00": a query string decodes '+' as a space.
            if (!JsonItems.TryIsoTime(text.Replace(' ', '+'), out var parsed))
            {
                return Error(StatusCodes.Status400BadRequest, $"{name} '{text}' is not an ISO 8601 date and time with an offset (e.g. 2026-07-27T00:00:00+08:00; encode '+' as %2B)");
            }
            set(parsed);
        }
        var now = time.GetUtcNow();
        var (from, to) = (start, end) switch
        {
            ({ } s, { } e) => (s, e),
            ({ } s, null) => (s, s + SearchSpan),
            (null, { } e) => (e - SearchSpan, e),
            _ => (now - SearchSpan, now),
        };
        if (to < from)
        {
            return Error(StatusCodes.Status400BadRequest, $"end_date {to:O} is before start_date {from:O}");
        }
        if (to - from > SearchSpan)
        {
            return Error(StatusCodes.Status400BadRequest, $"start_date {from:O} to end_date {to:O} spans {(to - from).TotalDays:0.#} days; GeoReport v2 searches at most {SearchSpan.TotalDays} at a time");
        }

        if (!TryWhole(Parameter("page"), "page", 1, 1, int.MaxValue, out var page, out var pageProblem)
            || !TryWhole(Parameter("page_size"), "page_size", MaxPageSize, 1, MaxPageSize, out var pageSize, out pageProblem))
        {
            return Error(StatusCodes.Status400BadRequest, pageProblem!);
        }

        var chosen = (await Task.WhenAll(city.City.Grids.Select(g => client.GetGrain<IGridGrain>(g.Code).GetCases())))
            .SelectMany(c => c)
            .Where(c => c.Source == CaseSource.Hotline12345 && c.ReportedAt >= from && c.ReportedAt <= to)
            .Where(c => statuses.Contains(c.IsOpen ? "open" : "closed") && (codes is null || codes.Contains(c.CategoryCode)))
            .OrderByDescending(c => c.ReportedAt).ThenBy(c => c.CaseId, StringComparer.Ordinal)
            .Skip((int)Math.Min(int.MaxValue, (long)(page - 1) * pageSize))
            .Take(pageSize + 1)
            .ToList();
        if (chosen.Count > pageSize)
        {
            var next = QueryString.Create(query.Where(q => q.Key != "page").SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v)))
                .Append(KeyValuePair.Create("page", (string?)(page + 1).ToString(CultureInfo.InvariantCulture))));
            request.HttpContext.Response.Headers.Link = $"<{request.PathBase}{request.Path}{next}>; rel=\"next\"";
        }
        var whole = await Task.WhenAll(chosen.Take(pageSize).Select(c => client.GetGrain<ICaseGrain>(c.CaseId).Get()));
        return Results.Ok(whole.OfType<CaseRecord>().Select(r => Describe(r, catalogue)).ToList());
    }

    /// <summary>GeoReport v2: a search spans at most 90 days, the last 90 by default.</summary>
    private static readonly TimeSpan SearchSpan = TimeSpan.FromDays(90);

    /// <summary>GeoReport v2's default number of requests returned; also the most a page holds.</summary>
    private const int MaxPageSize = 1000;

    private static bool TryWhole(string? text, string name, int whenMissing, int min, int max, out int value, out string? problem)
    {
        problem = null;
        value = whenMissing;
        if (text is null)
        {
            return true;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }
        problem = $"{name} '{text}' must be a whole number from {min} to {max}";
        return false;
    }

    /// <summary>
    /// A request as GeoReport v2 describes it: open until its case is closed or cancelled; status_notes and
    /// updated_datetime are its latest step's (what was done, and why or to whom); the address as the caller gave it.
    /// </summary>
    private static ServiceRequest Describe(CaseRecord record, CaseCategoryCatalogue catalogue)
    {
        var latest = record.Timeline.LastOrDefault(e => e.From is null || e.From != e.To);
        return new(
            record.CaseId,
            record.IsOpen ? "open" : "closed",
            latest is null ? null : latest.Reason is { Length: > 0 } why && latest.From is not null ? $"{latest.What}: {why}" : latest.What,
            catalogue.TryGet(record.CategoryCode, out var category) ? category.Name : record.CategoryCode,
            record.CategoryCode,
            record.Description,
            record.Team,
            record.ReportedAt,
            latest?.At ?? record.ReportedAt,
            record.DisposalDueAt,
            record.Address,
            record.Position.Latitude,
            record.Position.Longitude);
    }

    private static IResult Error(int status, string description) => Results.Json(new[] { new Open311Error(status, description) }, statusCode: status);
}
