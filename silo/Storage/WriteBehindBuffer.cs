using System.Globalization;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// Hot states saved behind: a write returns at once with its new version, and the latest state of every row written
/// since the last flush is saved within <see cref="Window"/>, all of them through the group commit (a sensor written
/// a hundred times in a window is saved once). Reads on this silo see the unsaved state. What is still here when the
/// silo stops is flushed by <see cref="GroupCommitGrainStorage"/>'s lifecycle stop.
/// </summary>
internal sealed class WriteBehindBuffer : IAsyncDisposable
{
    private readonly Dictionary<GrainStateRow, PendingState> _pending = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _cycle = new(1, 1);
    private readonly GroupCommitQueue _queue;
    private readonly ILogger _logger;
    private readonly ITimer _timer;

    // 1 while the timer is set: the first write after an idle spell sets it, so an idle silo has no timer ticking.
    private int _armed;

    public WriteBehindBuffer(TimeSpan window, GroupCommitQueue queue, TimeProvider time, ILogger logger)
    {
        Window = window;
        _queue = queue;
        _logger = logger;
        _timer = time.CreateTimer(static state => _ = ((WriteBehindBuffer)state!).FlushOnTimerAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public TimeSpan Window { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public bool TryRead(GrainStateRow row, out byte[]? payload, out int version)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(row, out var pending))
            {
                (payload, version) = (pending.Payload, pending.Version);
                return true;
            }
        }
        (payload, version) = (null, 0);
        return false;
    }

    /// <summary>Takes a state to save later and answers its new version, the grain's ETag from now on.</summary>
    public int Write(GrainStateRow row, string? etag, byte[] payload)
    {
        lock (_gate)
        {
            if (_pending.TryGetValue(row, out var pending))
            {
                if (etag != pending.Version.ToString(CultureInfo.InvariantCulture))
                {
                    throw new InconsistentStateException(
                        $"Version conflict writing state '{row.StateName}' ({row.GrainIdExtension ?? row.GrainIdN1.ToString(CultureInfo.InvariantCulture)}): " +
                        $"the unsaved state on this silo is version {pending.Version}, the writer holds {etag ?? "none"}.",
                        pending.Version.ToString(CultureInfo.InvariantCulture), etag ?? string.Empty);
                }
                pending.Payload = payload;
                pending.Version++;
                return pending.Version;
            }
            var stored = ParseVersion(etag);
            var added = new PendingState { StoredVersion = stored, Version = (stored ?? 0) + 1, Payload = payload };
            _pending.Add(row, added);
            ArmIfIdle();
            return added.Version;
        }
    }

    /// <summary>Removes a row's unsaved state before it is cleared, and answers the version stored and the grain's.</summary>
    public bool TryTake(GrainStateRow row, out int? storedVersion, out int version)
    {
        lock (_gate)
        {
            if (_pending.Remove(row, out var pending))
            {
                (storedVersion, version) = (pending.StoredVersion, pending.Version);
                return true;
            }
        }
        (storedVersion, version) = (null, 0);
        return false;
    }

    private void ArmIfIdle()
    {
        if (Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
        {
            _timer.Change(Window, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task FlushOnTimerAsync()
    {
        Volatile.Write(ref _armed, 0);
        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Write-behind flush failed; the states stay queued for the next window");
        }
        if (Count > 0)
        {
            ArmIfIdle();
        }
    }

    /// <summary>Saves every state written so far, in group transactions; at the timer, and when the silo stops.</summary>
    public async Task FlushAsync()
    {
        await _cycle.WaitAsync().ConfigureAwait(false);
        try
        {
            List<(GrainStateRow Row, PendingState State, GrainStateWrite Write)> taken;
            lock (_gate)
            {
                taken = _pending.Select(entry => (entry.Key, entry.Value,
                    new GrainStateWrite(entry.Key, entry.Value.Payload, entry.Value.StoredVersion, entry.Value.Version))).ToList();
            }
            if (taken.Count == 0)
            {
                return;
            }

            var outcomes = taken.Select(item => _queue.WriteBehindAsync(item.Write)).ToArray();
            try
            {
                await Task.WhenAll(outcomes).ConfigureAwait(false);
            }
            catch
            {
                // Each outcome is settled below; the failed ones stay queued.
            }

            Exception? failure = null;
            lock (_gate)
            {
                for (var i = 0; i < taken.Count; i++)
                {
                    if (!outcomes[i].IsCompletedSuccessfully)
                    {
                        failure ??= outcomes[i].Exception?.GetBaseException();
                        continue;
                    }
                    var (row, state, write) = taken[i];
                    Settle(row, state, write, outcomes[i].Result);
                }
            }
            if (failure is not null)
            {
                throw new InvalidOperationException($"Write-behind: some of {taken.Count} states were not saved and stay queued: {failure.Message}", failure);
            }
        }
        finally
        {
            _cycle.Release();
        }
    }

    /// <summary>
    /// Saves one row's unsaved state now, if it has one, because its grain is leaving this silo (its next activation,
    /// maybe on another silo, reads the database). Not in a flush cycle: grains leaving together (a silo stopping)
    /// share group transactions instead of waiting for each other's.
    /// </summary>
    public async Task FlushRowAsync(GrainStateRow row)
    {
        PendingState? state;
        GrainStateWrite write;
        lock (_gate)
        {
            if (!_pending.TryGetValue(row, out state))
            {
                return;
            }
            write = new GrainStateWrite(row, state.Payload, state.StoredVersion, state.Version);
            state.Leaving = true;
        }
        // A failure leaves it queued for the next flush.
        var saved = await _queue.WriteBehindAsync(write).ConfigureAwait(false);
        lock (_gate)
        {
            Settle(row, state, write, saved);
        }
    }

    // Under the lock: a saved row leaves the buffer unless written again meanwhile (then its stored version moves on).
    private void Settle(GrainStateRow row, PendingState state, GrainStateWrite write, bool saved)
    {
        var stillPending = _pending.TryGetValue(row, out var current) && ReferenceEquals(current, state);
        if (!saved)
        {
            // Another writer saved this row after we read it: the stored state wins. For a grain leaving this silo that
            // is mostly its own state, saved a moment earlier by the other of its two flushes (the window's and the
            // leaving grain's); otherwise an activation elsewhere wrote it, which is worth a warning.
            _logger.Log(state.Leaving ? LogLevel.Debug : LogLevel.Warning, "Write-behind state '{State}' of {Grain} was not saved: the stored version is no longer {Version}",
                row.StateName, row.GrainIdExtension ?? row.GrainIdN1.ToString(CultureInfo.InvariantCulture), write.ExpectedVersion);
            if (stillPending)
            {
                _pending.Remove(row);
            }
            return;
        }
        if (stillPending && state.Version == write.NewVersion)
        {
            _pending.Remove(row);
        }
        else if (stillPending)
        {
            state.StoredVersion = write.NewVersion;
        }
    }

    private static int? ParseVersion(string? etag) =>
        string.IsNullOrEmpty(etag) ? null : int.Parse(etag, NumberStyles.None, CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        // A flush the timer started just before may still be running, and releases the cycle when done: it finishes
        // first. The cycle is not disposed (it holds no wait handle), so a flush that comes later finds it usable.
        await _cycle.WaitAsync().ConfigureAwait(false);
        _cycle.Release();
    }

    /// <summary>A row's latest unsaved state; changed only under the buffer's lock.</summary>
    private sealed class PendingState
    {
        public int? StoredVersion { get; set; }

        public int Version { get; set; }

        public byte[]? Payload { get; set; }

        /// <summary>Its grain is deactivating: the row is being saved at once (<see cref="FlushRowAsync"/>).</summary>
        public bool Leaving { get; set; }
    }
}
