using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Runtime.Persistence;

/// <summary>
/// Saves write-behind states. Once a window it takes every state written since the last cycle, has each
/// activation serialize its latest state in one of its own turns (so the snapshot is consistent), and writes
/// them per storage in one batch. A grain written a thousand times in a window is saved once.
/// </summary>
internal sealed class WriteBehindFlusher : IAsyncDisposable
{
    /// <summary>States snapshotted and written together, at most.</summary>
    internal const int Slice = 500;

    private readonly ConcurrentQueue<IWriteBehindEntry> _pending = new();
    private readonly SemaphoreSlim _cycle = new(1, 1);
    private readonly RuntimeInstruments _instruments;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly TimeSpan _window;

    // 1 while the timer is set for a cycle: it is set by the first write after an idle spell, not ticking all the time.
    private int _armed;

    public WriteBehindFlusher(TimeProvider time, TimeSpan window, RuntimeInstruments instruments, ILogger logger)
    {
        _instruments = instruments;
        _logger = logger;
        _window = window;
        _timer = time.CreateTimer(static state => _ = ((WriteBehindFlusher)state!).TryFlushOnTimerAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int PendingCount => _pending.Count;

    /// <summary>What the current cycle is doing, for the log line of a silo that cannot stop in time.</summary>
    public string Phase => Volatile.Read(ref _phase);

    private string _phase = "idle";

    public void Enqueue(IWriteBehindEntry entry)
    {
        _pending.Enqueue(entry);
        ArmIfIdle();
    }

    private void ArmIfIdle()
    {
        if (Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
        {
            _timer.Change(_window, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Saves everything written so far; used at shutdown and by whoever must know the state is durable.</summary>
    public async Task FlushAsync()
    {
        await _cycle.WaitAsync().ConfigureAwait(false);
        try
        {
            await FlushCycleAsync().ConfigureAwait(false);
        }
        finally
        {
            _cycle.Release();
        }
    }

    private async Task TryFlushOnTimerAsync()
    {
        Volatile.Write(ref _armed, 0);
        await _cycle.WaitAsync().ConfigureAwait(false);
        try
        {
            await FlushCycleAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Write-behind flush failed");
        }
        finally
        {
            _cycle.Release();
        }

        // Writes that came during the cycle, or a refused batch queued again, wait for the next window.
        if (!_pending.IsEmpty)
        {
            ArmIfIdle();
        }
    }

    private async Task FlushCycleAsync()
    {
        using var idle = new PhaseReset(this);
        var entries = new List<IWriteBehindEntry>(_pending.Count);
        while (_pending.TryDequeue(out var entry))
        {
            entries.Add(entry);
        }
        if (entries.Count == 0)
        {
            return;
        }

        // A slice at a time: the snapshots of a busy city's every sensor queued at once would stand for a second
        // in the thread pool's queue in front of everything else (an alarm's case, a view's frame).
        for (var offset = 0; offset < entries.Count; offset += Slice)
        {
            var slice = entries.GetRange(offset, Math.Min(Slice, entries.Count - offset));
            var snapshots = new Task<GrainStateWrite?>[slice.Count];
            for (var i = 0; i < slice.Count; i++)
            {
                snapshots[i] = SnapshotInTurnAsync(slice[i]);
            }
            Volatile.Write(ref _phase, $"waiting for {slice.Count} snapshots");
            await Task.WhenAll(snapshots).ConfigureAwait(false);

            foreach (var group in Enumerable.Range(0, slice.Count)
                         .Where(i => snapshots[i].Result is not null)
                         .GroupBy(i => slice[i].Storage))
            {
                var indexes = group.ToArray();
                var writes = indexes.Select(i => snapshots[i].Result!).ToArray();
                var started = Stopwatch.GetTimestamp();
                Volatile.Write(ref _phase, $"writing {writes.Length} states to {group.Key.Name}");
                IReadOnlyList<GrainStateWriteResult> results;
                var failed = false;
                try
                {
                    results = await group.Key.WriteManyAsync(writes).ConfigureAwait(false);
                    _instruments.StorageWritten(group.Key.Name, started);
                }
                catch (Exception exception)
                {
                    _instruments.StorageFailed(group.Key.Name, "write-behind");
                    _logger.LogError(exception, "Write-behind batch of {Count} states to storage {Storage} failed; the states will be written again", writes.Length, group.Key.Name);
                    results = writes.Select(_ => new GrainStateWriteResult(0, exception)).ToArray();
                    failed = true;
                }

                if (!failed && results.FirstOrDefault(r => r.Error is { } error && error is not InconsistentStateException) is { Error: { } failure })
                {
                    _instruments.StorageFailed(group.Key.Name, "write-behind");
                    _logger.LogError(failure, "Write-behind: {Count} of {Total} states to storage {Storage} were not saved; they will be written again",
                        results.Count(r => r.Error is { } e && e is not InconsistentStateException), writes.Length, group.Key.Name);
                }
                for (var j = 0; j < indexes.Length; j++)
                {
                    if (results[j].Error is InconsistentStateException conflict)
                    {
                        _logger.LogError(conflict, "Write-behind state conflict");
                    }
                    if (slice[indexes[j]].SnapshotSaved(results[j], writes[j]))
                    {
                        _pending.Enqueue(slice[indexes[j]]);
                    }
                }
            }
        }
    }

    private static Task<GrainStateWrite?> SnapshotInTurnAsync(IWriteBehindEntry entry)
    {
        GrainStateWrite? snapshot = null;
        var item = new DelegateWorkItem(_ =>
        {
            snapshot = entry.TakeSnapshot();
            return Task.CompletedTask;
        });

        // An activation already gone flushed its state when it deactivated.
        if (!entry.Activation.TryEnqueue(item))
        {
            return Task.FromResult<GrainStateWrite?>(null);
        }
        return item.Completion.ContinueWith(
            static (t, s) => t.IsCompletedSuccessfully ? ((Func<GrainStateWrite?>)s!)() : null,
            new Func<GrainStateWrite?>(() => snapshot),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        _cycle.Dispose();
    }

    private readonly struct PhaseReset(WriteBehindFlusher flusher) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref flusher._phase, "idle");
    }
}
