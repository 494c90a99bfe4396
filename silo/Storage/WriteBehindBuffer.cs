using System.Globalization;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// Hot states saved behind: a write returns at once with its new version, and the latest state of every row written
/// since the last flush is saved within <see cref="Window"/>, all of them through the group commit (a sensor written
/// a hundred times in a window is saved once). Reads on this silo see the unsaved state. What is still here when the
/// silo stops is flushed by <see cref="GroupCommitGrainStorage"/>'s lifecycle stop.
/// <para>
/// Flushes start half a window apart, counted from when the last one took its rows (or at once, if it took longer), so
/// a state written just after a flush took its rows is saved by the end of the next one: within half a window plus
/// that flush, or two flushes if they outlast half a window each. Each write checks that against how long flushes take
/// now: the one in progress, and the slowest of the last <see cref="SlowHold"/> (under a steady load flushes alternate
/// between quick and slow, and a state acknowledged after a quick one and taken by a slow pair was saved past the
/// window, 1.04 s for a 1 s window, in a clean CI run's SIGKILL test). A write whose save would come later than
/// <see cref="Deadline"/> of the window (a silo short of CPU, a slow database) goes through: it is answered once the
/// flush that takes it has committed, and that flush starts as soon as the one in progress ends. Only those writes
/// wait; the others are answered at once (before, every write waited for five windows after any slow flush). A
/// flush that fails (the database out of reach) does not hold writers: their states wait here for the database.
/// </para>
/// </summary>
internal sealed class WriteBehindBuffer : IAsyncDisposable
{
    private readonly Dictionary<GrainStateRow, PendingState> _pending = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _cycle = new(1, 1);
    private readonly GroupCommitQueue _queue;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly string _stateName;
    private readonly WriteBehindMeter? _meter;

    // 1 while the timer is set: the first write after an idle spell sets it, so an idle silo has no timer ticking.
    private int _armed;

    private readonly Func<GrainStateRow, Task<int?>> _readVersion;
    private readonly TimeProvider _time;

    // Completed when the flush that takes the next snapshot of the rows has settled: what a write-through writer awaits.
    private TaskCompletionSource _nextFlush = NewFlushSignal();

    // When the flush in progress took its rows (0: none in progress), when the last one did (the cadence counts from
    // it), and whether the last one failed.
    private long _flushStartedAt;
    private long _lastFlushStartedAt;
    private bool _lastFlushFailed;

    // When the armed timer was set and for how long: when the next flush starts, if none is in progress.
    private long _armedAt;
    private TimeSpan _armedFor;

    // The flushes that ended within SlowHold and took longer than every one after them, oldest (and slowest) first:
    // the first is what the next flush is expected to take.
    private readonly List<(long EndedAt, TimeSpan Took)> _slowFlushes = [];

    // Under the lock: a flush for write-through writers is running or queued (so a burst of writes starts one, not one
    // each), and some writer awaits the flush that takes the next snapshot (so that flush must come, whatever the clock).
    private bool _urgent;
    private bool _writersWaiting;

    /// <param name="readVersion">The version the database holds of a row (null: no row), for <see cref="RebaseAsync"/>.</param>
    /// <param name="meter">Where each flush's lag is recorded, under <paramref name="stateName"/>.</param>
    public WriteBehindBuffer(string stateName, TimeSpan window, GroupCommitQueue queue, Func<GrainStateRow, Task<int?>> readVersion, TimeProvider time, ILogger logger,
        WriteBehindMeter? meter = null)
    {
        _stateName = stateName;
        _meter = meter;
        Window = window;
        _queue = queue;
        _readVersion = readVersion;
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(static state => _ = ((WriteBehindBuffer)state!).FlushOnTimerAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public TimeSpan Window { get; }

    /// <summary>How long a slow flush counts in what the next one is expected to take: five windows.</summary>
    public TimeSpan SlowHold => Window * 5;

    /// <summary>
    /// How late in the window a write's save may come and the write still be answered at once: nine tenths, leaving a
    /// tenth for what the estimate does not see (the timer's and the thread pool's delays).
    /// </summary>
    public TimeSpan Deadline => Window * 0.9;

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

    /// <summary>A flush has taken its rows and not yet settled.</summary>
    public bool Flushing
    {
        get
        {
            lock (_gate)
            {
                return _flushStartedAt != 0;
            }
        }
    }

    /// <summary>A write made now would wait for its flush, because flushes are slow (see the class's remarks).</summary>
    public bool WritesThrough
    {
        get
        {
            lock (_gate)
            {
                return MustWait();
            }
        }
    }

    /// <summary>When a state written now is expected to be saved, from now (see the class's remarks). Under the lock.</summary>
    private TimeSpan ExpectedSave()
    {
        var expected = ExpectedFlush();
        TimeSpan nextStarts;
        if (_flushStartedAt != 0)
        {
            // The write waits for the flush in progress to end, then for the next one, which starts half a window
            // after this one took its rows, or at once for writers waiting or if this one took longer.
            var ends = expected - _time.GetElapsedTime(_flushStartedAt);
            var cadence = Cadence(_flushStartedAt);
            nextStarts = _urgent || cadence < ends ? ends : cadence;
        }
        else if (Volatile.Read(ref _armed) == 1)
        {
            var left = _armedFor - _time.GetElapsedTime(_armedAt);
            nextStarts = left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
        else
        {
            // Nothing waits: this write sets the timer.
            nextStarts = Window / 2;
        }
        return nextStarts + expected;
    }

    /// <summary>
    /// How long a flush is expected to take: as long as the slowest that ended within <see cref="SlowHold"/>, and a
    /// flush in progress at least twice as long as it has run so far. Under the lock.
    /// </summary>
    private TimeSpan ExpectedFlush()
    {
        var now = _time.GetTimestamp();
        var expired = 0;
        while (expired < _slowFlushes.Count && _time.GetElapsedTime(_slowFlushes[expired].EndedAt, now) >= SlowHold)
        {
            expired++;
        }
        _slowFlushes.RemoveRange(0, expired);
        var slowest = _slowFlushes.Count > 0 ? _slowFlushes[0].Took : TimeSpan.Zero;
        var running = _flushStartedAt != 0 ? _time.GetElapsedTime(_flushStartedAt, now) * 2 : TimeSpan.Zero;
        return running > slowest ? running : slowest;
    }

    /// <summary>Notes how long a flush that succeeded took. Under the lock.</summary>
    private void FlushTook(TimeSpan took)
    {
        var faster = _slowFlushes.Count;
        while (faster > 0 && _slowFlushes[faster - 1].Took <= took)
        {
            faster--;
        }
        _slowFlushes.RemoveRange(faster, _slowFlushes.Count - faster);
        _slowFlushes.Add((_time.GetTimestamp(), took));
    }

    /// <summary>
    /// True when a state written now would be saved past <see cref="Deadline"/> (see the class's remarks): the write
    /// waits for its flush. Under the lock.
    /// </summary>
    private bool MustWait() => !_lastFlushFailed && ExpectedSave() > Deadline;

    /// <summary>
    /// Takes a state to save later and answers its new version, the grain's ETag from now on. <paramref name="saved"/>
    /// is complete at once, or, while flushes are slow, when the flush that takes this state has committed.
    /// </summary>
    public int Write(GrainStateRow row, string? etag, byte[] payload, out Task saved)
    {
        lock (_gate)
        {
            saved = Task.CompletedTask;
            if (MustWait())
            {
                saved = _nextFlush.Task;
                _writersWaiting = true;
                _meter?.RecordWaited(_stateName);
                if (!_urgent)
                {
                    _urgent = true;
                    _ = Task.Run(FlushForWritersAsync);
                }
            }
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
            var added = new PendingState { StoredVersion = stored, Version = (stored ?? 0) + 1, Payload = payload, WaitingSince = _time.GetTimestamp() };
            _pending.Add(row, added);
            ArmIfIdle(_flushStartedAt != 0 ? Cadence(_flushStartedAt) : Window / 2);
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

    /// <summary>How long until half a window after a flush took its rows: when the next one starts.</summary>
    private TimeSpan Cadence(long flushStartedAt)
    {
        var due = Window / 2 - _time.GetElapsedTime(flushStartedAt);
        return due > TimeSpan.Zero ? due : TimeSpan.Zero;
    }

    /// <summary>
    /// Sets the timer for the next flush unless it is set; under the lock. Half the window after the first write of an
    /// idle spell, or after the last flush took its rows: a state written just after a flush began waits for that
    /// flush, then is in the next, which starts within half a window and has the other half to commit (measured here:
    /// a flush of the demo city's hot rows under load takes 100-300 ms), so the window bounds what a crash can lose.
    /// </summary>
    private void ArmIfIdle(TimeSpan due)
    {
        if (Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
        {
            (_armedAt, _armedFor) = (_time.GetTimestamp(), due);
            if (due > TimeSpan.Zero)
            {
                _timer.Change(due, Timeout.InfiniteTimeSpan);
            }
            else
            {
                _ = Task.Run(FlushOnTimerAsync);
            }
        }
    }

    /// <summary>
    /// Flushes until no writer waits: a writer that came after this flush took its rows waits for the next one, which
    /// must not wait for the window's timer (on a test's fake clock it would never come).
    /// </summary>
    private async Task FlushForWritersAsync()
    {
        while (true)
        {
            try
            {
                await FlushAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "Write-behind flush for waiting writers failed; the states stay queued for the next window");
            }
            lock (_gate)
            {
                if (!_writersWaiting)
                {
                    _urgent = false;
                    return;
                }
            }
        }
    }

    private async Task FlushOnTimerAsync()
    {
        try
        {
            await FlushAsync(fromTimer: true).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Write-behind flush failed; the states stay queued for the next window");
        }
        lock (_gate)
        {
            if (_pending.Count > 0)
            {
                // Half a window after the last flush took its rows, not after it ended: a slow flush does not push the
                // next one further out.
                ArmIfIdle(Cadence(_lastFlushStartedAt));
            }
        }
    }

    /// <summary>Saves every state written so far, in group transactions; at the timer, and when the silo stops.</summary>
    public Task FlushAsync() => FlushAsync(fromTimer: false);

    /// <param name="fromTimer">
    /// The timer's flush: the timer counts as set until this flush takes its rows, so writes made while it waits for
    /// the flush before it do not set another.
    /// </param>
    private async Task FlushAsync(bool fromTimer)
    {
        await _cycle.WaitAsync().ConfigureAwait(false);
        try
        {
            List<(GrainStateRow Row, PendingState State, GrainStateWrite Write, long WaitingSince)> taken;
            TaskCompletionSource settled;
            lock (_gate)
            {
                taken = _pending.Select(entry => (entry.Key, entry.Value,
                    new GrainStateWrite(entry.Key, entry.Value.Payload, entry.Value.StoredVersion, entry.Value.Version), entry.Value.WaitingSince)).ToList();
                (settled, _nextFlush) = (_nextFlush, NewFlushSignal());
                _writersWaiting = false;
                _flushStartedAt = _lastFlushStartedAt = _time.GetTimestamp();
                if (fromTimer)
                {
                    Volatile.Write(ref _armed, 0);
                }
            }
            try
            {
                await SaveAsync(taken).ConfigureAwait(false);
            }
            finally
            {
                settled.TrySetResult();
            }
        }
        finally
        {
            _cycle.Release();
        }
    }

    private async Task SaveAsync(List<(GrainStateRow Row, PendingState State, GrainStateWrite Write, long WaitingSince)> taken)
    {
        if (taken.Count == 0)
        {
            lock (_gate)
            {
                (_flushStartedAt, _lastFlushFailed) = (0, false);
            }
            return;
        }
        var outcomes = taken.Select(item => _queue.WriteBehindAsync(item.Write, Window)).ToArray();
        try
        {
            await Task.WhenAll(outcomes).ConfigureAwait(false);
        }
        catch
        {
            // Each outcome is settled below; the failed ones stay queued.
        }

        Exception? failure = null;
        List<(GrainStateRow Row, PendingState State)> behind = [];
        long? oldestSaved = null;
        lock (_gate)
        {
            var snapshot = _flushStartedAt;
            var failed = outcomes.Any(outcome => !outcome.IsCompletedSuccessfully);
            _lastFlushFailed = failed;
            if (!failed)
            {
                FlushTook(_time.GetElapsedTime(_flushStartedAt));
            }
            _flushStartedAt = 0;
            for (var i = 0; i < taken.Count; i++)
            {
                if (!outcomes[i].IsCompletedSuccessfully)
                {
                    failure ??= outcomes[i].Exception?.GetBaseException();
                    continue;
                }
                var (row, state, write, waitingSince) = taken[i];
                if (Settle(row, state, write, outcomes[i].Result, snapshot))
                {
                    behind.Add((row, state));
                }
                else if (outcomes[i].Result)
                {
                    oldestSaved = Math.Min(oldestSaved ?? long.MaxValue, waitingSince);
                }
            }
        }
        if (oldestSaved is { } since)
        {
            _meter?.RecordLag(_stateName, _time.GetElapsedTime(since));
        }
        foreach (var (row, state) in behind)
        {
            await RebaseAsync(row, state).ConfigureAwait(false);
        }
        if (failure is not null)
        {
            throw new InvalidOperationException($"Write-behind: some of {taken.Count} states were not saved and stay queued: {failure.Message}", failure);
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
        var saved = await _queue.WriteBehindAsync(write, Window).ConfigureAwait(false);
        bool behind;
        lock (_gate)
        {
            behind = Settle(row, state, write, saved, _time.GetTimestamp());
        }
        if (behind)
        {
            await RebaseAsync(row, state).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Under the lock: a saved row leaves the buffer unless written again meanwhile (then its stored version moves on).
    /// True when the row was not saved because the database holds another version and this silo's grain is the one
    /// writing it now (see <see cref="RebaseAsync"/>). <paramref name="taken"/>: when the saved version was taken from
    /// the buffer; a row written again since has waited at most from then.
    /// </summary>
    private bool Settle(GrainStateRow row, PendingState state, GrainStateWrite write, bool saved, long taken)
    {
        var stillPending = _pending.TryGetValue(row, out var current) && ReferenceEquals(current, state);
        if (!saved)
        {
            if (state.Leaving || !stillPending)
            {
                // Its grain has left this silo: the row was saved by the other of its two flushes (the window's and the
                // leaving grain's) or by its next activation elsewhere, which holds the newer state.
                _logger.LogDebug("Write-behind state '{State}' of {Grain} not saved by this flush: the stored version is no longer {Version}",
                    row.StateName, row.GrainIdExtension ?? row.GrainIdN1.ToString(CultureInfo.InvariantCulture), write.ExpectedVersion);
                if (stillPending)
                {
                    _pending.Remove(row);
                }
                return false;
            }
            return true;
        }
        if (stillPending && state.Version == write.NewVersion)
        {
            _pending.Remove(row);
        }
        else if (stillPending)
        {
            state.StoredVersion = write.NewVersion;
            state.WaitingSince = taken;
        }
        return false;
    }

    /// <summary>
    /// The database holds another version of a row this silo's grain is writing: an earlier activation of the grain (on
    /// a silo stopping or dying, or before it moved here) saved its last state after this activation read the row.
    /// The grain active here holds the newest state (it is the one the city's readings reach), so it wins: the row's
    /// next flush writes over the version now stored. Before this, the row was dropped and every later flush of the
    /// grain expected a version the database never reached, so its hot state was never saved again.
    /// </summary>
    private async Task RebaseAsync(GrainStateRow row, PendingState state)
    {
        int? stored;
        try
        {
            stored = await _readVersion(row).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _logger.LogWarning("Write-behind state '{State}' of {Grain}: could not read its stored version ({Problem}); it stays queued",
                row.StateName, row.GrainIdExtension ?? row.GrainIdN1.ToString(CultureInfo.InvariantCulture), exception.Message);
            return;
        }
        lock (_gate)
        {
            if (_pending.TryGetValue(row, out var current) && ReferenceEquals(current, state))
            {
                _logger.LogWarning("Write-behind state '{State}' of {Grain}: the database held version {Stored} from an earlier activation; this activation's state (version {Version}) is saved over it",
                    row.StateName, row.GrainIdExtension ?? row.GrainIdN1.ToString(CultureInfo.InvariantCulture), stored, state.Version);
                state.StoredVersion = stored;
                ArmIfIdle(Window / 2);
            }
        }
    }

    private static TaskCompletionSource NewFlushSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static int? ParseVersion(string? etag) =>
        string.IsNullOrEmpty(etag) ? null : int.Parse(etag, NumberStyles.None, CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        // A flush the timer started just before may still be running, and releases the cycle when done: it finishes
        // first. The cycle is not disposed (it holds no wait handle), so a flush that comes later finds it usable.
        await _cycle.WaitAsync().ConfigureAwait(false);
        _cycle.Release();
        lock (_gate)
        {
            _nextFlush.TrySetResult();
        }
    }

    /// <summary>A row's latest unsaved state; changed only under the buffer's lock.</summary>
    private sealed class PendingState
    {
        public int? StoredVersion { get; set; }

        public int Version { get; set; }

        public byte[]? Payload { get; set; }

        /// <summary>When (<see cref="TimeProvider.GetTimestamp"/>) the oldest change not yet saved was written.</summary>
        public long WaitingSince { get; set; }

        /// <summary>Its grain is deactivating: the row is being saved at once (<see cref="FlushRowAsync"/>).</summary>
        public bool Leaving { get; set; }
    }
}
