using System.Diagnostics.Metrics;
using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Silo.Security;

/// <summary>
/// The audit log: each line is written to the database before <see cref="AppendAsync"/> returns. While the
/// database cannot be reached, lines wait in order in a bounded queue (<see cref="Capacity"/>) and a background
/// loop writes them once it returns; when the queue is full an append throws, so the action it records is
/// refused rather than done unaudited.
/// </summary>
public sealed class AuditLog : IAuditLog, IHostedService, IAsyncDisposable, IDisposable
{
    public const int Capacity = 10_000;

    private readonly ISecurityStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditLog> _logger;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly Queue<(DateTimeOffset At, AuditRecord Record)> _pending = new();
    private readonly Meter _meter = new("CityOps.Twin.Audit");
    private readonly CancellationTokenSource _stopping = new();
    private Task? _retry;
    private readonly Lock _shutdownGate = new();
    private Task? _shutdown;

    public AuditLog(ISecurityStore store, TimeProvider time, ILogger<AuditLog> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _meter.CreateObservableGauge("twin.audit.pending", () => Pending, "{line}", "Audit lines waiting for the database to return.");
    }

    public int Pending
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count;
            }
        }
    }

    public async Task AppendAsync(AuditRecord record)
    {
        var line = (_time.GetUtcNow(), record);
        await _writer.WaitAsync();
        try
        {
            lock (_pending)
            {
                if (_pending.Count >= Capacity)
                {
                    throw new TwinNotDurableException($"The audit log cannot reach the database and {Capacity} lines already wait for it; the action was not taken. Try again when the database is back.");
                }
                _pending.Enqueue(line);
            }
            await TryWritePendingAsync();
        }
        finally
        {
            _writer.Release();
        }
    }

    public Task<IReadOnlyList<AuditEntry>> ReadAsync(AuditQuery query) => _store.ReadAuditAsync(query);

    /// <summary>Writes every waiting line in order, in one transaction; on failure they stay queued for the next try.</summary>
    private async Task<bool> TryWritePendingAsync()
    {
        (DateTimeOffset, AuditRecord)[] lines;
        lock (_pending)
        {
            lines = [.. _pending];
        }
        if (lines.Length == 0)
        {
            return true;
        }
        try
        {
            await _store.AppendAuditAsync(lines);
        }
        catch (Exception exception) when (exception is not TwinNotDurableException)
        {
            _logger.LogError("Audit: {Count} line(s) wait for the database ({Problem}); they are written when it returns", lines.Length, exception.Message);
            return false;
        }
        lock (_pending)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                _pending.Dequeue();
            }
        }
        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _retry = RetryLoopAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task RetryLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (Pending == 0)
            {
                continue;
            }
            await _writer.WaitAsync(CancellationToken.None);
            try
            {
                if (await TryWritePendingAsync())
                {
                    _logger.LogWarning("Audit: the waiting lines were written; the database is back");
                }
            }
            finally
            {
                _writer.Release();
            }
        }
    }

    /// <summary>
    /// Stops the retry loop and writes what still waits. The host stops the log and the container disposes it,
    /// and a test host may do the two in either order (or at once): whichever comes first does the work, once,
    /// and the other waits for it, so neither throws and no accepted line is dropped without a word.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken) => ShutDownAsync().WaitAsync(cancellationToken);

    private Task ShutDownAsync()
    {
        lock (_shutdownGate)
        {
            return _shutdown ??= ShutDownOnceAsync();
        }
    }

    private async Task ShutDownOnceAsync()
    {
        await _stopping.CancelAsync();
        if (_retry is not null)
        {
            await _retry;
        }
        await _writer.WaitAsync(CancellationToken.None);
        try
        {
            if (!await TryWritePendingAsync())
            {
                _logger.LogError("Audit: {Count} line(s) could not be written before the silo stopped", Pending);
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ShutDownAsync();
        _meter.Dispose();
    }

    public void Dispose()
    {
        // The container disposes asynchronously when it can; a synchronous disposal still stops the loop
        // (never disposing the token source under it) and leaves waiting lines to the log's error above.
        _ = ShutDownAsync();
        _meter.Dispose();
    }
}
