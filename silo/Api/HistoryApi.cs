using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.History;
using CityOps.Twin.Web.Live;

namespace CityOps.Twin.Silo.Api;

/// <summary>
/// The city's history: a sensor's readings (raw or in 1-minute and 1-hour buckets, JSON or CSV), an area's vital signs
/// over time, and the events (alarms, case steps, switches, device events). Times are ISO 8601 with an offset, and the
/// answer gives them in the offset of <c>from</c>. No answer holds more than History:MaxRows rows.
/// </summary>
public static partial class HistoryApi
{
    /// <summary>The range when none is given: the last day.</summary>
    private static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(1);

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/devices/{id}/history", DeviceHistoryAsync).WithTags("History").RequireAuthorization()
            .WithSummary("A sensor's readings from from to to (ISO 8601 with offset; the last day by default): step=raw (default), 1m or 1h; Accept: text/csv for CSV.");
        app.MapGet("api/areas/{code}/history", AreaHistoryAsync).WithTags("History").RequireAuthorization()
            .WithSummary("An area's vital-sign index (index=flood, safety, infrastructure, caseHandling, composite) over time, from stored samples.");
        app.MapGet("api/history/events", EventsAsync).WithTags("History").RequireAuthorization()
            .WithSummary("Alarm changes, case steps, mode switches and device events from from to to; kind=alarm,case,mode,camera,elevator; area=; device=.");
        app.MapGet("api/history/state", StateAsync).WithTags("History").RequireAuthorization()
            .WithSummary("The city at a past moment (at=, ISO 8601 with offset): every grid's index (index=, composite by default) as of its latest sample at or before it, the sensors then in alarm, and the mode then.");
        return app;
    }

    internal static async Task<IResult> StateAsync(
        string? at, string? index, HttpContext context, HistoryOptions options, TimeProvider time, IServiceProvider services, CancellationToken cancellationToken)
    {
        var (store, unavailable) = await StoreAsync(services, context);
        if (store is null)
        {
            return unavailable!;
        }
        if (string.IsNullOrEmpty(at))
        {
            return Invalid("at", "at is required: the moment to show, ISO 8601 with an offset (e.g. 2026-07-27T08:00:00+08:00, with '+' sent as %2B)");
        }
        if (TimeProblem("at", at) is { } problem)
        {
            return Invalid("at", problem);
        }
        var moment = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.None);
        var now = time.GetUtcNow();
        if (moment > now)
        {
            return Invalid("at", $"at {moment:O} is in the future (now is {now.ToOffset(moment.Offset):O}): the history holds only what has happened");
        }
        var indexText = index ?? "composite";
        if (!Enum.TryParse<SignsIndex>(indexText.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var signsIndex)
            || !Enum.IsDefined(signsIndex) || int.TryParse(indexText, out _))
        {
            return Invalid("index", $"index '{indexText}' is not one of flood, safety, infrastructure, caseHandling, composite");
        }

        var past = services.GetRequiredService<CityPast>();
        CityMoment then;
        try
        {
            then = await past.AtAsync(moment, signsIndex, cancellationToken);
        }
        catch (CityPastUnavailableException exception)
        {
            context.Response.Headers.RetryAfter = "5";
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "History not readable");
        }
        var grids = then.Grids.OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new GridStateThen(g.Key, g.Value.Value, g.Value.SampledAt, (long)(moment - g.Value.SampledAt).TotalSeconds)).ToList();
        var oldest = grids.Count > 0 ? grids.Max(g => g.SampleAgeSeconds) : (long?)null;
        var missing = past.GridCount - grids.Count;
        return Results.Ok(new CityStateThen(moment, Camel(signsIndex.ToString()), (int)options.SignsInterval.TotalSeconds, then.Mode ?? "Normal", then.ModeSince,
            oldest, missing,
            missing > 0 ? $"{missing} grids have no sample at or before {moment:O} (the history began later, or its samples are past the retention); they are left out" : null,
            grids, [.. then.Alarms.OrderBy(a => a.SensorId, StringComparer.Ordinal).Select(a => new AlarmStateThen(a.SensorId, a.GridCode, a.Level.ToString(), a.Since))]));
    }

    internal static async Task<IResult> DeviceHistoryAsync(
        string id, string? from, string? to, string? step, HttpRequest request, CityRegistry city, SensorRulebook rules, HistoryOptions options,
        TimeProvider time, IServiceProvider services, CancellationToken cancellationToken)
    {
        var (store, unavailable) = await StoreAsync(services, request.HttpContext);
        if (store is null)
        {
            return unavailable!;
        }
        if (!city.Sensors.TryGetValue(id, out var sensor))
        {
            return city.KindOf(id) is { } kind
                ? Invalid("id", $"'{id}' is a {kind.ToString().ToLowerInvariant()}: it has events, not readings; see /api/history/events?device={id}")
                : Invalid("id", $"'{id}' is not a device of the city");
        }
        var range = ParseRange(from, to, time);
        if (range.Problem is { } badRange)
        {
            return badRange;
        }
        var wanted = step?.ToLowerInvariant() switch
        {
            null or "" or "raw" => "raw",
            "1m" => "1m",
            "1h" => "1h",
            _ => null,
        };
        if (wanted is null)
        {
            return Invalid("step", $"step '{step}' is not one of raw, 1m, 1h");
        }

        var (fromTicks, toTicks, max) = (range.From.UtcTicks, range.To.UtcTicks, options.MaxRows);
        var unit = rules.For(sensor.Kind, OperatingMode.Normal).Unit;
        string? note = null;
        var answered = wanted;
        if (wanted == "raw")
        {
            var readings = await store.ReadingsAsync(id, fromTicks, toTicks, max + 1, cancellationToken);
            if (readings.Count <= max)
            {
                var points = readings.Select(r => new ReadingPoint(At(r.AtTicks, range.Offset), r.Value)).ToList();
                return Answer(request, new DeviceHistory(id, sensor.Kind.ToString(), unit, range.From, range.To, "raw", null, false, points, null));
            }
            answered = Buckets(range, TimeSpan.FromMinutes(1)) <= max ? "1m" : "1h";
            note = $"more than {max} readings from {range.From:O} to {range.To:O}: answered in {answered} buckets; ask a shorter range for raw readings";
        }
        if (answered == "1m" && Buckets(range, TimeSpan.FromMinutes(1)) > max)
        {
            answered = "1h";
            note = $"from {range.From:O} to {range.To:O} is more than {max} minutes: answered in 1h buckets; ask a shorter range for 1-minute buckets";
        }
        if (answered == "1h" && Buckets(range, TimeSpan.FromHours(1)) > max)
        {
            return Invalid("to", $"from {range.From:O} to {range.To:O} is more than {max} hours, the most one answer holds; ask a shorter range");
        }
        var buckets = answered == "1m"
            ? await store.MinutesAsync(id, fromTicks, toTicks, max + 1, cancellationToken)
            : await store.HoursAsync(id, fromTicks, toTicks, max + 1, cancellationToken);
        var aggregates = buckets.Take(max).Select(b => new ReadingAggregate(At(b.StartTicks, range.Offset), b.Min, b.Max, b.Mean, b.Count)).ToList();
        return Answer(request, new DeviceHistory(id, sensor.Kind.ToString(), unit, range.From, range.To, answered, note, buckets.Count > max, null, aggregates));
    }

    internal static async Task<IResult> AreaHistoryAsync(
        string code, string? index, string? from, string? to, HttpContext context, CityRegistry city, HistoryOptions options, TimeProvider time,
        IServiceProvider services, CancellationToken cancellationToken)
    {
        var (store, unavailable) = await StoreAsync(services, context);
        if (store is null)
        {
            return unavailable!;
        }
        if (!city.Areas.TryGetValue(code, out var area))
        {
            return Invalid("code", $"'{code}' is not an area of the city (city, a district, street or grid code)");
        }
        var indexText = index ?? "flood";
        if (!Enum.TryParse<SignsIndex>(indexText.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var signsIndex) || !Enum.IsDefined(signsIndex))
        {
            return Invalid("index", $"index '{indexText}' is not one of flood, safety, infrastructure, caseHandling, composite");
        }
        var range = ParseRange(from, to, time);
        if (range.Problem is { } badRange)
        {
            return badRange;
        }

        var max = options.MaxRows;
        var samples = await store.SamplesAsync(code, signsIndex, range.From.UtcTicks, range.To.UtcTicks, max + 1, cancellationToken);
        var inRange = samples.Count(s => s.AtTicks >= range.From.UtcTicks);
        var name = Camel(signsIndex.ToString());
        var interval = (int)options.SignsInterval.TotalSeconds;
        if (inRange <= max)
        {
            return Results.Ok(new AreaHistory(code, area.Name, area.Level.ToString(), name, range.From, range.To, "sample", interval, null, false,
                [.. samples.Select(s => new SignPoint(At(s.AtTicks, range.Offset), s.Value, null, null))]));
        }
        var (width, step) = Buckets(range, TimeSpan.FromHours(1)) <= max ? (TimeSpan.FromHours(1), "1h") : (TimeSpan.FromDays(1), "1d");
        var buckets = await store.SampleBucketsAsync(code, signsIndex, range.From.UtcTicks, range.To.UtcTicks, width.Ticks, max + 1, cancellationToken);
        return Results.Ok(new AreaHistory(code, area.Name, area.Level.ToString(), name, range.From, range.To, step, interval,
            $"more than {max} samples from {range.From:O} to {range.To:O}: answered in {step} buckets (mean, min, max); ask a shorter range for the samples",
            buckets.Count > max, [.. buckets.Take(max).Select(b => new SignPoint(At(b.AtTicks, range.Offset), b.Value, b.Min, b.Max))]));
    }

    internal static async Task<IResult> EventsAsync(
        string? from, string? to, string? kind, string? area, string? device, HttpContext context, CityRegistry city, HistoryOptions options,
        TimeProvider time, IServiceProvider services, CancellationToken cancellationToken)
    {
        var (store, unavailable) = await StoreAsync(services, context);
        if (store is null)
        {
            return unavailable!;
        }
        var range = ParseRange(from, to, time);
        if (range.Problem is { } badRange)
        {
            return badRange;
        }
        var kinds = new List<HistoryEventKind>();
        foreach (var text in (kind ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<HistoryEventKind>(text, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(text, out _))
            {
                return Invalid("kind", $"kind '{text}' is not one of {string.Join(", ", Enum.GetValues<HistoryEventKind>().Select(HistoryStore.KindName))}");
            }
            kinds.Add(parsed);
        }
        if (area is not null && !city.Areas.ContainsKey(area))
        {
            return Invalid("area", $"'{area}' is not an area of the city (city, a district, street or grid code)");
        }
        if (device is not null && city.KindOf(device) is null)
        {
            return Invalid("device", $"'{device}' is not a device of the city");
        }

        var max = options.MaxRows;
        var filter = new EventFilter(range.From.UtcTicks, range.To.UtcTicks, kinds, area, device);
        var events = await store.EventsAsync(filter, max + 1, cancellationToken);
        var truncated = events.Count > max;
        return Results.Ok(new HistoryEvents(range.From, range.To, [.. kinds.Select(HistoryStore.KindName)], area, device, truncated,
            truncated ? $"more than {max} events: the first {max} from {range.From:O}; ask again from the last one's time" : null,
            [.. events.Take(max).Select(e => new HistoryEventView(At(e.AtTicks, range.Offset), e.Kind, e.Subject, e.GridCode, e.From, e.To, e.Value, e.Actor, e.Note))]));
    }

    private sealed record TimeRange(DateTimeOffset From, DateTimeOffset To, TimeSpan Offset, IResult? Problem);

    /// <summary>from and to as given (the last day when neither is), each ISO 8601 with an offset; from not after to.</summary>
    private static TimeRange ParseRange(string? fromText, string? toText, TimeProvider time)
    {
        DateTimeOffset? from = null, to = null;
        foreach (var (name, text) in new[] { ("from", fromText), ("to", toText) })
        {
            if (text is null)
            {
                continue;
            }
            if (TimeProblem(name, text) is { } problem)
            {
                return new TimeRange(default, default, default, Invalid(name, problem));
            }
            var parsed = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.None);
            if (name == "from")
            {
                from = parsed;
            }
            else
            {
                to = parsed;
            }
        }
        var end = to ?? (from is { } start ? start + DefaultSpan : time.GetUtcNow());
        var begin = from ?? end - DefaultSpan;
        if (begin > end)
        {
            return new TimeRange(default, default, default, Invalid("from", $"from {begin:O} is after to {end:O}"));
        }
        var offset = from?.Offset ?? to?.Offset ?? TimeSpan.Zero;
        return new TimeRange(begin.ToOffset(offset), end.ToOffset(offset), offset, null);
    }

    private static string? TimeProblem(string name, string text)
    {
        if (JsonItems.TryIsoTime(text, out _))
        {
            return null;
        }
        if (SpaceForPlus().IsMatch(text))
        {
            return $"{name} '{text}' has a space before its offset: a '+' in a query string reads as a space; send it as %2B (e.g. 2026-07-27T08:00:00%2B08:00)";
        }
        if (WithoutOffset().IsMatch(text))
        {
            return $"{name} '{text}' has no offset: a time without one could be UTC or Beijing time, eight hours apart; add Z or +08:00 (sent as %2B08:00)";
        }
        return $"{name} '{text}' is not an ISO 8601 date and time with an offset (e.g. 2026-07-27T08:00:00+08:00, with '+' sent as %2B)";
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)? \d{2}:?\d{2}$")]
    private static partial Regex SpaceForPlus();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")]
    private static partial Regex WithoutOffset();

    private static long Buckets(TimeRange range, TimeSpan width) => (range.To.UtcTicks / width.Ticks) - (range.From.UtcTicks / width.Ticks) + 1;

    private static DateTimeOffset At(long utcTicks, TimeSpan offset) => new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(offset);

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static IResult Invalid(string parameter, string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: $"Invalid parameter '{parameter}'",
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    /// <summary>The store once ready; 404 when the history is off, 503 while its tables are being installed.</summary>
    private static async Task<(HistoryStore? Store, IResult? Problem)> StoreAsync(IServiceProvider services, HttpContext context)
    {
        if (services.GetService<HistoryWriter>() is not { } writer)
        {
            return (null, Results.Problem("The history is off on this twin (History:Enabled false, or --storage memory, which keeps nothing).",
                statusCode: StatusCodes.Status404NotFound, title: "No history"));
        }
        try
        {
            await writer.Ready.WaitAsync(TimeSpan.FromSeconds(5), context.RequestAborted);
        }
        catch (TimeoutException)
        {
            context.Response.Headers.RetryAfter = "5";
            return (null, Results.Problem($"The history in {writer.Store.Describe()} is not ready yet ({writer.Failing ?? "installing its tables"}).",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "History not ready"));
        }
        return (writer.Store, null);
    }

    /// <summary>JSON, or CSV when the client accepts text/csv (the note and step then in X-History-Note and X-History-Step).</summary>
    private static IResult Answer(HttpRequest request, DeviceHistory history)
    {
        if (!request.Headers.Accept.Any(accept => accept?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true))
        {
            return Results.Ok(history);
        }
        var csv = new StringBuilder();
        if (history.Readings is { } readings)
        {
            csv.Append("at,value\n");
            foreach (var reading in readings)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{reading.At:O},{reading.Value:R}\n");
            }
        }
        else
        {
            csv.Append("at,min,max,mean,count\n");
            foreach (var bucket in history.Buckets!)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{bucket.At:O},{bucket.Min:R},{bucket.Max:R},{bucket.Mean:R},{bucket.Count}\n");
            }
        }
        var headers = request.HttpContext.Response.Headers;
        headers["X-History-Step"] = history.Step;
        if (history.Note is { } note)
        {
            headers["X-History-Note"] = note;
        }
        return Results.Text(csv.ToString(), "text/csv; charset=utf-8");
    }
}
