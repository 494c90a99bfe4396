using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CityOps.Twin.Runtime;

/// <summary>
/// The runtime's instruments (System.Diagnostics.Metrics, read by OpenTelemetry's MeterProvider or any
/// MeterListener). One set per silo. The call path touches only a counter and, when someone listens, the
/// turn-duration histogram; gauges are read from plain fields when collected.
/// </summary>
public sealed class RuntimeInstruments : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _turnDuration;
    private readonly Histogram<double> _storageReadDuration;
    private readonly Histogram<double> _storageWriteDuration;
    private readonly Counter<long> _storageFailures;
    private readonly Counter<long> _streamDeliveryFailures;
    private readonly Counter<long> _storageConflicts;
    private long _conflicts;
    private string? _lastConflict;
    private long _activations;
    private long _mailboxDepth;
    private long _streamQueueDepth;

    public RuntimeInstruments()
    {
        _meter = new Meter(RuntimeTelemetry.MeterName);
        _calls = _meter.CreateCounter<long>("twin.grain.calls", "{call}", "Grain calls made; its rate is calls per second.");
        _turnDuration = _meter.CreateHistogram<double>("twin.grain.turn.duration", "ms", "Time from a turn's start to the end of its task.");
        _storageReadDuration = _meter.CreateHistogram<double>("twin.storage.read.duration", "ms", "Grain state reads.");
        _storageWriteDuration = _meter.CreateHistogram<double>("twin.storage.write.duration", "ms", "Grain state writes and write-behind batches.");
        _storageFailures = _meter.CreateCounter<long>("twin.storage.failures", "{failure}", "Storage operations that failed, by operation.");
        _storageConflicts = _meter.CreateCounter<long>("twin.storage.conflicts", "{conflict}", "Writes refused because the stored version was not the one read: another writer (another silo over the same database?).");
        _streamDeliveryFailures = _meter.CreateCounter<long>("twin.stream.delivery.failures", "{failure}", "Stream items a subscriber threw on.");
        _meter.CreateObservableUpDownCounter("twin.grain.activations", () => Volatile.Read(ref _activations), "{activation}", "Live activations.");
        _meter.CreateObservableGauge("twin.grain.queue.depth", () => Volatile.Read(ref _mailboxDepth), "{item}", "Turns waiting in mailboxes.");
        _meter.CreateObservableGauge("twin.stream.queue.depth", () => Volatile.Read(ref _streamQueueDepth), "{item}", "Stream items waiting for subscribers.");
    }

    public Meter Meter => _meter;

    public long Activations => Volatile.Read(ref _activations);

    public long MailboxDepth => Volatile.Read(ref _mailboxDepth);

    public long StreamQueueDepth => Volatile.Read(ref _streamQueueDepth);

    /// <summary>Version conflicts seen since start: writes refused because someone else wrote the state since it was read.</summary>
    public long StorageConflicts => Interlocked.Read(ref _conflicts);

    /// <summary>The latest conflict's description (which grain, which versions), or null if there was none.</summary>
    public string? LastStorageConflict => Volatile.Read(ref _lastConflict);

    internal void StorageConflict(InconsistentStateException conflict)
    {
        Interlocked.Increment(ref _conflicts);
        Volatile.Write(ref _lastConflict, conflict.Message);
        _storageConflicts.Add(1, new KeyValuePair<string, object?>("grain_type", conflict.Key.GrainType));
    }

    internal void CallMade() => _calls.Add(1);

    internal long TurnStarted() => _turnDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    internal void TurnEnded(long started)
    {
        if (started != 0)
        {
            _turnDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    internal void ActivationCreated() => Interlocked.Increment(ref _activations);

    internal void ActivationRemoved() => Interlocked.Decrement(ref _activations);

    internal void QueueDepthChanged(long delta) => Interlocked.Add(ref _mailboxDepth, delta);

    internal void StreamQueueDepthChanged(long delta) => Interlocked.Add(ref _streamQueueDepth, delta);

    internal void StreamDeliveryFailed() => _streamDeliveryFailures.Add(1);

    internal void StorageRead(string storage, long started) =>
        _storageReadDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("storage", storage));

    internal void StorageWritten(string storage, long started) =>
        _storageWriteDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("storage", storage));

    internal void StorageFailed(string storage, string operation) =>
        _storageFailures.Add(1, new KeyValuePair<string, object?>("storage", storage), new KeyValuePair<string, object?>("operation", operation));

    public void Dispose() => _meter.Dispose();
}
