using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CityOps.Twin.Runtime.Persistence;

/// <summary>What an activation needs of each of its states: load on activation, save on deactivation.</summary>
internal interface IPersistentStateEntry
{
    string StateName { get; }

    Task ReadOnActivateAsync();

    /// <summary>Makes any write-behind change durable now. Runs in a turn of the activation.</summary>
    Task FlushAsync();
}

/// <summary>What the write-behind flusher needs of a state.</summary>
internal interface IWriteBehindEntry
{
    ActivationData Activation { get; }

    IGrainStorage Storage { get; }

    /// <summary>Runs in a turn: serializes the latest state and marks it clean. Null when nothing changed.</summary>
    GrainStateWrite? TakeSnapshot();

    /// <summary>
    /// Runs after the batch, outside any turn. A version conflict is reported to the grain on its next write.
    /// Any other failure (the store was down) keeps the snapshot for the next cycle; returns true when the
    /// flusher must queue the state again for that.
    /// </summary>
    bool SnapshotSaved(GrainStateWriteResult result, GrainStateWrite write);
}

internal sealed class PersistentState<TState> : IPersistentState<TState>, IPersistentStateEntry, IWriteBehindEntry
    where TState : new()
{
    private readonly GrainStateKey _key;
    private readonly JsonTypeInfo<TState> _typeInfo;
    private readonly WriteBehindFlusher? _writeBehind;
    private readonly RuntimeInstruments _instruments;

    // Write-behind bookkeeping. _dirty and _queued change only in turns of the activation; _saving is the
    // snapshot the flusher is writing, completed (outside the turn) when the batch is done.
    private bool _dirty;
    private bool _queued;
    private TaskCompletionSource? _saving;
    private GrainStateWrite? _refused;
    private Exception? _backgroundError;
    private long _etag;

    public PersistentState(ActivationData activation, string stateName, IGrainStorage storage, JsonTypeInfo<TState> typeInfo, WriteBehindFlusher? writeBehind, RuntimeInstruments instruments)
    {
        _key = new GrainStateKey(activation.GrainId.Type, activation.GrainId.Key, stateName);
        Activation = activation;
        Storage = storage;
        _typeInfo = typeInfo;
        _writeBehind = writeBehind;
        _instruments = instruments;
        activation.AddState(this);
    }

    public ActivationData Activation { get; }

    public IGrainStorage Storage { get; }

    public string StateName => _key.StateName;

    public TState State { get; set; } = new();

    public long Etag => Volatile.Read(ref _etag);

    public bool RecordExists { get; private set; }

    public Task ReadOnActivateAsync() => ReadStateAsync();

    public async Task ReadStateAsync()
    {
        await WaitForSavingAsync().ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        GrainStateRecord? record;
        try
        {
            record = await Storage.ReadAsync(_key).ConfigureAwait(false);
        }
        catch (Exception)
        {
            _instruments.StorageFailed(Storage.Name, "read");
            throw;
        }
        _instruments.StorageRead(Storage.Name, started);

        _dirty = false;
        Volatile.Write(ref _etag, record?.Version ?? 0);
        if (record?.Payload is { } payload)
        {
            State = JsonSerializer.Deserialize(payload, _typeInfo) ?? new TState();
            RecordExists = true;
        }
        else
        {
            State = new TState();
            RecordExists = false;
        }
    }

    public Task WriteStateAsync()
    {
        if (_writeBehind is null)
        {
            return WriteNowAsync();
        }

        if (Interlocked.Exchange(ref _backgroundError, null) is { } error)
        {
            return Task.FromException(error);
        }

        _dirty = true;
        if (!_queued)
        {
            _queued = true;
            _writeBehind.Enqueue(this);
        }
        return Task.CompletedTask;
    }

    public async Task ClearStateAsync()
    {
        await WaitForSavingAsync().ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        try
        {
            Volatile.Write(ref _etag, await Storage.ClearAsync(_key, Etag).ConfigureAwait(false));
        }
        catch (Exception exception)
        {
            if (exception is InconsistentStateException conflict)
            {
                _instruments.StorageConflict(conflict);
            }
            _instruments.StorageFailed(Storage.Name, "clear");
            throw;
        }
        _instruments.StorageWritten(Storage.Name, started);
        _dirty = false;
        State = new TState();
        RecordExists = false;
    }

    public async Task FlushAsync()
    {
        // A batch under way may yet be refused; its outcome decides whether there is anything left to save.
        await WaitForSavingAsync().ConfigureAwait(false);
        if (_dirty || Interlocked.Exchange(ref _refused, null) is not null)
        {
            await WriteNowAsync().ConfigureAwait(false);
        }
    }

    public GrainStateWrite? TakeSnapshot()
    {
        _queued = false;
        var refused = Interlocked.Exchange(ref _refused, null);
        if (!_dirty && refused is null)
        {
            return null;
        }

        _saving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_dirty)
        {
            return refused! with { ExpectedVersion = Etag };
        }

        _dirty = false;
        return new GrainStateWrite(_key, JsonSerializer.Serialize(State, _typeInfo), Etag);
    }

    public bool SnapshotSaved(GrainStateWriteResult result, GrainStateWrite write)
    {
        var retry = false;
        if (result.Error is null)
        {
            Volatile.Write(ref _etag, result.NewVersion);
            RecordExists = true;
        }
        else if (result.Error is InconsistentStateException conflict)
        {
            _instruments.StorageConflict(conflict);
            // Nobody awaited this write, so the grain learns of the conflict on its next one.
            Volatile.Write(ref _backgroundError, result.Error);
        }
        else
        {
            Volatile.Write(ref _refused, write);
            retry = true;
        }
        _saving?.TrySetResult();
        return retry;
    }

    private async Task WriteNowAsync()
    {
        await WaitForSavingAsync().ConfigureAwait(false);
        var payload = JsonSerializer.Serialize(State, _typeInfo);
        var started = Stopwatch.GetTimestamp();
        try
        {
            Volatile.Write(ref _etag, await Storage.WriteAsync(_key, payload, Etag).ConfigureAwait(false));
        }
        catch (Exception exception)
        {
            _instruments.StorageFailed(Storage.Name, "write");
            if (exception is InconsistentStateException conflict)
            {
                _instruments.StorageConflict(conflict);
            }
            throw;
        }
        _instruments.StorageWritten(Storage.Name, started);
        _dirty = false;
        RecordExists = true;
    }

    private Task WaitForSavingAsync() => _saving?.Task ?? Task.CompletedTask;
}
