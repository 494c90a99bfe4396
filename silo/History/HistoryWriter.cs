using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Silo.Hosting;

namespace CityOps.Twin.Silo.History;

/// <summary>
/// The silo's one history writer: grains queue entries (<see cref="IHistoryAppender"/>, never waiting) into a bounded
/// buffer, and one loop on a thread of its own drains it in batches of up to <see cref="HistoryOptions.BatchEntries"/>, each one
/// transaction. A batch is whatever waited: at a trickle each reading is written at once, under load batches grow to
/// thousands. A full buffer drops the entry and counts it (<see cref="Dropped"/>, health Degraded): ingest never waits
/// for the history, which the PostgreSQL outage test relies on (readings stay accepted while the database is away). A
/// batch the store refuses is tried again, kept, until it is written or the silo stops; what is buffered when the
/// process dies is lost (README, "History").
/// </summary>
public sealed class HistoryWriter : IHistoryAppender, IHostedService
{
    public const string MeterName = "CityOps.Twin.History";

    /// <summary>A database that came back is written to within this: the buffer holds seconds, not minutes, of ingest.</summary>
    private static readonly TimeSpan LongestRetryWait = TimeSpan.FromSeconds(5);

    private const int AttemptsAtStop = 3;

    private readonly HistoryStore _store;
    private readonly HistoryOptions _options;
    private readonly Func<string, string?> _areaPath;
    private readonly ILogger _logger;
    private readonly Channel<QueuedEntry> _buffer;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _abandon = new();
    private Task? _loop;
    private readonly Meter _meter = new(MeterName);
    private long _queued;
    private long _written;
    private long _dropped;
    private long _failures;
    private volatile string? _failing;
    private volatile bool _stopping;

    public HistoryWriter(HistoryStore store, HistoryOptions options, Func<string, string?> areaPath, ILogger<HistoryWriter> logger)
    {
        _store = store;
        _options = options;
        _areaPath = areaPath;
        _logger = logger;
        _buffer = Channel.CreateBounded<QueuedEntry>(new BoundedChannelOptions(options.BufferEntries)
        {
            // TryWrite answers false when full: the entry is dropped and counted, nobody waits.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _meter.CreateObservableCounter("twin.history.written", () => Written, description: "History entries committed");
        _meter.CreateObservableCounter("twin.history.dropped", () => Dropped, description: "History entries dropped because the buffer was full");
        _meter.CreateObservableGauge("twin.history.buffered", () => Buffered, description: "History entries waiting for the writer");
    }

    public HistoryStore Store => _store;

    /// <summary>Completes once the store's schema is installed (the API and the sampler wait for it).</summary>
    public Task Ready => _ready.Task;

    public long Written => Interlocked.Read(ref _written);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Failures => Interlocked.Read(ref _failures);

    public int Buffered => _buffer.Reader.Count;

    /// <summary>Why the last batch was refused, while the writer is retrying it; null when writing.</summary>
    public string? Failing => _failing;

    /// <summary>From queued to committed, every entry.</summary>
    public HistoryWriteLag Lag { get; } = new();

    public void Reading(string sensorId, DateTimeOffset measuredAt, double value) =>
        Queue(new QueuedEntry(new QueuedReading(sensorId, measuredAt.UtcTicks, value, Stopwatch.GetTimestamp()), null));

    public void Event(HistoryEvent change) =>
        Queue(new QueuedEntry(default, new QueuedEvent(change, change.GridCode is null ? null : _areaPath(change.GridCode), Stopwatch.GetTimestamp())));

    private void Queue(QueuedEntry entry)
    {
        if (_buffer.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _queued);
        }
        else
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Completes when everything queued before the call is committed (or the timeout passes): for tests and the benchmark.</summary>
    public async Task<bool> WhenWrittenAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        // Batches are committed in the order entries were queued: once as many are written as were queued, these are.
        var target = Interlocked.Read(ref _queued);
        while (Written < target)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }
            await Task.Delay(10).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>
    /// Starts the writer's loop on a thread of its own (<see cref="OwnThread"/>): the SQLite store's work is synchronous,
    /// and a fold holds its thread for up to 2 s (200,000 readings into 12 million, bench <c>history ingest</c>).
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = OwnThread.Start("History writer", Run);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops taking entries and writes what is buffered; the rest is abandoned if the host's stop deadline passes first,
    /// or if the store refuses <see cref="AttemptsAtStop"/> times in a row (a database that is away does not hold the
    /// silo's stop for minutes).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _buffer.Writer.TryComplete();
        if (_loop is null)
        {
            return;
        }
        await using var abandon = cancellationToken.Register(_abandon.Cancel);
        await _loop.ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
        _meter.Dispose();
    }

    /// <summary>The writer's loop, on its own thread: it blocks while it waits for entries and while the store writes.</summary>
    private void Run()
    {
        var token = _abandon.Token;
        if (!TryUntilDone(() => _store.InstallAsync(token), "install the history's tables"))
        {
            return;
        }
        _ready.TrySetResult();
        _logger.LogInformation("History ready in {Store}", _store.Describe());

        var readings = new List<QueuedReading>(_options.BatchEntries);
        var events = new List<QueuedEvent>();
        try
        {
            while (OwnThread.Wait(_buffer.Reader.WaitToReadAsync(token)))
            {
                readings.Clear();
                events.Clear();
                while (readings.Count + events.Count < _options.BatchEntries && _buffer.Reader.TryRead(out var entry))
                {
                    if (entry.Event is { } change)
                    {
                        events.Add(change);
                    }
                    else
                    {
                        readings.Add(entry.Reading);
                    }
                }
                if (!TryUntilDone(() => _store.WriteAsync(readings, events, token), $"write {readings.Count + events.Count} history entries"))
                {
                    return;
                }
                var now = Stopwatch.GetTimestamp();
                foreach (var reading in readings)
                {
                    Lag.Record(Stopwatch.GetElapsedTime(reading.Queued, now), 1);
                }
                foreach (var change in events)
                {
                    Lag.Record(Stopwatch.GetElapsedTime(change.Queued, now), 1);
                }
                Interlocked.Add(ref _written, readings.Count + events.Count);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            _logger.LogWarning("History: the silo's stop deadline passed with {Count} entries unwritten; they are lost", Buffered);
        }
    }

    /// <summary>
    /// Runs the step until it succeeds, waiting longer after each failure, up to <see cref="LongestRetryWait"/>; false if
    /// abandoned at stop. The SQLite store's steps complete on this thread; PostgreSQL's are awaited here.
    /// </summary>
    private bool TryUntilDone(Func<Task> step, string what)
    {
        var wait = TimeSpan.FromMilliseconds(250);
        var attemptsAtStop = 0;
        while (true)
        {
            try
            {
                step().GetAwaiter().GetResult();
                _failing = null;
                return true;
            }
            catch (Exception exception) when (!_abandon.IsCancellationRequested)
            {
                var failures = Interlocked.Increment(ref _failures);
                _failing = $"could not {what} in {_store.Describe()}: {exception.Message}";
                if (_stopping && ++attemptsAtStop >= AttemptsAtStop)
                {
                    _logger.LogWarning("History {Problem} while the silo stops; {Count} entries are lost", _failing, Buffered);
                    _abandon.Cancel();
                    return false;
                }
                if (failures == 1 || failures % 20 == 0)
                {
                    _logger.LogWarning("History {Problem}; trying again (failure {Count})", _failing, failures);
                }
                if (_abandon.Token.WaitHandle.WaitOne(wait))
                {
                    return false;
                }
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestRetryWait.Ticks));
            }
            catch (Exception) when (_abandon.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private readonly record struct QueuedEntry(QueuedReading Reading, QueuedEvent? Event);
}
