using System.Diagnostics.Metrics;

namespace CityOps.Twin.Silo.Telemetry;

/// <summary>
/// What the twin takes in (meter <see cref="Name"/>): readings and device events accepted and refused, by where they
/// came from (<c>api</c>: the ingestion API; <c>simulator</c>: the demo city's simulator). The readings counter's rate
/// is the twin's readings per second.
/// </summary>
public sealed class IngestionMeter
{
    public const string Name = "CityOps.Twin.Ingestion";

    public const string FromApi = "api";

    public const string FromSimulator = "simulator";

    private readonly Counter<long> _readings;
    private readonly Counter<long> _readingsRefused;
    private readonly Counter<long> _events;

    public IngestionMeter(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _readings = meter.CreateCounter<long>("twin.ingest.readings", "{reading}", "Sensor readings accepted and applied to their sensors.");
        _readingsRefused = meter.CreateCounter<long>("twin.ingest.readings.refused", "{reading}",
            "Sensor readings refused, each with its reason in the ingestion answer (unknown sensor, out of range, stale, ...).");
        _events = meter.CreateCounter<long>("twin.ingest.events", "{event}", "Device events accepted (online, offline, detections, elevator status).");
    }

    public void ReadingsAccepted(int count, string source) => Add(_readings, count, source);

    public void ReadingsRefused(int count, string source) => Add(_readingsRefused, count, source);

    public void EventsAccepted(int count, string source) => Add(_events, count, source);

    private static void Add(Counter<long> counter, int count, string source)
    {
        if (count > 0)
        {
            counter.Add(count, new KeyValuePair<string, object?>("source", source));
        }
    }
}
