using System.Text.Json;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Security;
using CityOps.Twin.Silo.Telemetry;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Api;

/// <summary>
/// Batch ingestion of sensor readings and device events. Each item is validated on its own (unknown device,
/// not a number, outside the sensor's physical range, in the future or older than the window, repeated in the
/// batch, not newer than the sensor's latest); the answer lists every refused item with its index and reason,
/// and every valid item is applied, each sensor's in time order.
/// </summary>
public static class IngestionApi
{
    public static RouteGroupBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/ingest").WithTags("Ingestion");
        api.MapPost("/readings", IngestReadingsAsync)
            .WithSummary("Sensor readings: {\"readings\":[{\"sensorId\",\"measuredAt\",\"value\"}]}");
        api.MapPost("/events", IngestEventsAsync)
            .WithSummary("Device events: {\"events\":[{\"deviceId\",\"type\":\"online|offline|detection|elevatorStatus\",\"at\",...}]}");
        return api;
    }

    internal static async Task<IResult> IngestReadingsAsync(HttpRequest request, CityRegistry city, IClusterClient client, SensorRulebook rules, TimeProvider time, IOptions<IngestionOptions> options, IngestionKeys keys, IAuditLog audit,
        IngestionMeter meter)
    {
        var (key, refusal) = await keys.AdmitAsync(request.HttpContext, request.Headers[IngestionKeys.Header].FirstOrDefault(), "ingest.readings");
        if (key is null)
        {
            return refusal!.AsProblem();
        }
        var (items, problem) = await ReadBatchAsync(request, "readings", options.Value);
        if (problem is not null)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var rejected = new List<RejectedItem>();
        var valid = new List<(int Index, SensorReading Reading)>();
        var seen = new Dictionary<(string, DateTimeOffset), int>();
        var outside = new List<string>();
        for (var index = 0; index < items.Count; index++)
        {
            var (reading, deviceId, reason) = ValidateReading(items[index], city, rules, now, options.Value);
            if (reading is not null && !key.Covers(reading.SensorId))
            {
                reason = OutsideScope(key, reading.SensorId);
                outside.Add(reading.SensorId);
            }
            if (reading is not null && seen.TryGetValue((reading.SensorId, reading.MeasuredAt), out var first))
            {
                reason = $"duplicate of item {first} (same sensor and time)";
            }
            if (reason is not null)
            {
                rejected.Add(new RejectedItem(index, deviceId, reason));
                continue;
            }
            seen[(reading!.SensorId, reading.MeasuredAt)] = index;
            valid.Add((index, reading));
        }

        var accepted = 0;
        var sensors = valid.GroupBy(v => v.Reading.SensorId).Select(g => (Id: g.Key, Ordered: g.OrderBy(v => v.Reading.MeasuredAt).ToArray())).ToArray();
        var calls = sensors.Select(sensor => RecordAsync(client.GetGrain<ISensorGrain>(sensor.Id), sensor.Ordered)).ToArray();
        try
        {
            // One deadline for the batch (see IngestionOptions.AnswerWithin).
            await Task.WhenAll(calls).WaitAsync(options.Value.AnswerWithin);
        }
        catch (TimeoutException)
        {
            var waiting = sensors.Where((_, i) => !calls[i].IsCompleted).Select(sensor => sensor.Id).ToArray();
            if (waiting.Length == 0)
            {
                // Every grain answered between the deadline and this look: the batch is answered as if in time.
                await Task.WhenAll(calls);
            }
            else
            {
                // Answered 503 by the API's error handler, the batch unacknowledged.
                var who = waiting.Length == 1 ? $"sensor {waiting[0]}'s grain"
                    : $"{waiting.Length} sensors' grains ({string.Join(", ", waiting.Take(5))}{(waiting.Length > 5 ? ", ..." : string.Empty)})";
                throw new TimeoutException($"{who} did not answer within {options.Value.AnswerWithin.TotalSeconds:0.#} s; "
                    + "readings of this batch already applied are answered as repeats when it is sent again");
            }
        }

        // A sensor's readings of the batch in one call; the grain checks them all before it applies any.
        async Task<List<RejectedItem>> RecordAsync(ISensorGrain grain, (int Index, SensorReading Reading)[] ordered)
        {
            var outcomes = new List<RejectedItem>();
            try
            {
                var applied = await grain.RecordMany([.. ordered.Select(v => v.Reading)]);
                for (var i = 0; i < ordered.Length; i++)
                {
                    if (applied[i] == ReadingOutcome.Stale)
                    {
                        outcomes.Add(Stale(ordered[i]));
                    }
                }
            }
            catch (ArgumentException exception)
            {
                // Checked above by the same rulebook, so not expected; if the grain refuses, it took none of them,
                // and each is answered with its reason.
                outcomes.Clear();
                var reason = exception.Message.Split(" (Parameter")[0];
                outcomes.AddRange(ordered.Select(item => new RejectedItem(item.Index, item.Reading.SensorId, reason)));
            }
            Interlocked.Add(ref accepted, ordered.Length - outcomes.Count);
            return outcomes;
        }

        static RejectedItem Stale((int Index, SensorReading Reading) item) =>
            new(item.Index, item.Reading.SensorId, "not newer than the sensor's latest reading (a repeat, or late)");

        rejected.AddRange(calls.SelectMany(call => call.Result));
        meter.ReadingsAccepted(accepted, IngestionMeter.FromApi);
        meter.ReadingsRefused(rejected.Count, IngestionMeter.FromApi);
        return await AnswerAsync(new IngestionResult(accepted, [.. rejected.OrderBy(r => r.Index)]), outside, key, request.HttpContext, audit, "ingest.readings");
    }

    internal static async Task<IResult> IngestEventsAsync(HttpRequest request, CityRegistry city, IClusterClient client, TimeProvider time, IOptions<IngestionOptions> options, IngestionKeys keys, IAuditLog audit,
        IngestionMeter meter)
    {
        var (key, refusal) = await keys.AdmitAsync(request.HttpContext, request.Headers[IngestionKeys.Header].FirstOrDefault(), "ingest.events");
        if (key is null)
        {
            return refusal!.AsProblem();
        }
        var (items, problem) = await ReadBatchAsync(request, "events", options.Value);
        if (problem is not null)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var rejected = new List<RejectedItem>();
        var outside = new List<string>();
        var accepted = 0;
        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            string? deviceId = null;
            string? reason;
            if (item.ValueKind != JsonValueKind.Object)
            {
                reason = "an item must be an object {deviceId, type, at, ...}";
            }
            else if (!JsonItems.TryString(item, "deviceId", out var id, out var error) || !JsonItems.TryString(item, "type", out var type, out error)
                || !JsonItems.TryTime(item, "at", out var at, out error))
            {
                deviceId = item.TryGetProperty("deviceId", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                reason = error;
            }
            else
            {
                deviceId = id;
                if (!key.Covers(id) && city.KindOf(id) is not null)
                {
                    reason = OutsideScope(key, id);
                    outside.Add(id);
                }
                else
                {
                    reason = TimeProblem(at, now, options.Value) ?? await ApplyEventAsync(item, id, type, at, city, client);
                }
            }

            if (reason is null)
            {
                accepted++;
            }
            else
            {
                rejected.Add(new RejectedItem(index, deviceId, reason));
            }
        }
        meter.EventsAccepted(accepted, IngestionMeter.FromApi);
        return await AnswerAsync(new IngestionResult(accepted, rejected), outside, key, request.HttpContext, audit, "ingest.events");
    }

    private static string OutsideScope(StoredKey key, string deviceId) => $"device '{deviceId}' is not among the devices of API key '{key.Name}'";

    /// <summary>
    /// The batch's answer; items outside the key's devices are audited, and a batch refused only for that (no item
    /// applied, every refusal out of scope) is forbidden: 403.
    /// </summary>
    private static async Task<IResult> AnswerAsync(IngestionResult result, List<string> outside, StoredKey key, HttpContext context, IAuditLog audit, string what)
    {
        if (outside.Count == 0)
        {
            return Results.Ok(result);
        }
        var devices = string.Join(" ", outside.Distinct().Take(10)) + (outside.Distinct().Count() > 10 ? " ..." : "");
        await audit.AppendAsync(AuditRecord.Of(IngestionKeys.Actor(key, context), what, devices, "forbidden", detail: $"{outside.Count} item(s) for devices outside the key's set"));
        return result.Accepted == 0 && outside.Count == result.Rejected.Count
            ? Results.Problem($"API key '{key.Name}' may not send data for {devices}: not among its devices.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                extensions: new Dictionary<string, object?> { ["rejected"] = result.Rejected })
            : Results.Ok(result);
    }

    private static async Task<string?> ApplyEventAsync(JsonElement item, string deviceId, string type, DateTimeOffset at, CityRegistry city, IClusterClient client)
    {
        var kind = city.KindOf(deviceId);
        switch (type)
        {
            case "online" or "offline" when kind == DeviceKind.Camera:
                await client.GetGrain<ICameraGrain>(deviceId).SetOnline(type == "online", at);
                return null;
            case "detection" when kind == DeviceKind.Camera:
                if (!JsonItems.TryString(item, "detection", out var detectionText, out var error) || !JsonItems.TryNumber(item, "confidence", out var confidence, out error))
                {
                    return error;
                }
                if (!Enum.TryParse<DetectionKind>(detectionText, ignoreCase: true, out var detection) || !Enum.IsDefined(detection))
                {
                    return $"detection '{detectionText}' is not one of {string.Join(", ", Enum.GetNames<DetectionKind>())}";
                }
                if (confidence is < 0 or > 1)
                {
                    return $"confidence {confidence} is not between 0 and 1";
                }
                await client.GetGrain<ICameraGrain>(deviceId).Detect(new CameraDetection(detection, at, confidence));
                return null;
            case "elevatorStatus" when kind == DeviceKind.Elevator:
                if (!JsonItems.TryString(item, "status", out var statusText, out error))
                {
                    return error;
                }
                if (!Enum.TryParse<ElevatorStatus>(statusText, ignoreCase: true, out var status) || !Enum.IsDefined(status))
                {
                    return $"status '{statusText}' is not one of {string.Join(", ", Enum.GetNames<ElevatorStatus>())}";
                }
                var reportedBy = JsonItems.TryString(item, "reportedBy", out var reporter, out _) ? reporter : "device";
                await client.GetGrain<IElevatorGrain>(deviceId).SetStatus(status, at, reportedBy);
                return null;
            default:
                return kind is null
                    ? $"unknown device '{deviceId}'"
                    : $"type '{type}' does not apply to a {kind.Value.ToString().ToLowerInvariant()} (cameras: online, offline, detection; elevators: elevatorStatus)";
        }
    }

    private static (SensorReading? Reading, string? DeviceId, string? Reason) ValidateReading(
        JsonElement item, CityRegistry city, SensorRulebook rules, DateTimeOffset now, IngestionOptions options)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return (null, null, "an item must be an object {sensorId, measuredAt, value}");
        }
        if (!JsonItems.TryString(item, "sensorId", out var id, out var error))
        {
            return (null, null, error);
        }
        if (!city.Sensors.TryGetValue(id, out var file))
        {
            return (null, id, $"unknown sensor '{id}'");
        }
        if (!JsonItems.TryTime(item, "measuredAt", out var at, out error) || !JsonItems.TryNumber(item, "value", out var value, out error))
        {
            return (null, id, error);
        }

        // The physical range is the same in every mode: it says what a sensor can measure, not what alarms.
        var range = rules.For(file.Kind, OperatingMode.Normal);
        if (value < range.PhysicalMinimum || value > range.PhysicalMaximum)
        {
            return (null, id, $"{value} {range.Unit} is outside the physical range {range.PhysicalMinimum}..{range.PhysicalMaximum} {range.Unit} of a {file.Kind} sensor");
        }
        return TimeProblem(at, now, options) is { } late ? (null, id, late) : (new SensorReading(id, at, value), id, null);
    }

    private static string? TimeProblem(DateTimeOffset at, DateTimeOffset now, IngestionOptions options) =>
        at > now + options.MaxClockSkew ? $"time {at:O} is in the future (now {now:O})"
        : at < now - options.MaxAge ? $"time {at:O} is older than the {options.MaxAge.TotalHours:0.#} h window"
        : null;

    private static async Task<(IReadOnlyList<JsonElement> Items, IResult? Problem)> ReadBatchAsync(HttpRequest request, string arrayName, IngestionOptions options)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException exception)
        {
            return ([], Results.Problem($"The body is not JSON: {exception.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Malformed batch"));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(arrayName, out var array) || array.ValueKind != JsonValueKind.Array)
            {
                return ([], Results.Problem($"The body must be an object with a \"{arrayName}\" array.", statusCode: StatusCodes.Status400BadRequest, title: "Malformed batch"));
            }
            if (array.GetArrayLength() > options.MaxBatchItems)
            {
                return ([], Results.Problem($"{array.GetArrayLength()} items; a batch holds at most {options.MaxBatchItems}. Send several batches.",
                    statusCode: StatusCodes.Status413PayloadTooLarge, title: "Batch too large"));
            }
            return ([.. array.EnumerateArray().Select(e => e.Clone())], null);
        }
    }
}
