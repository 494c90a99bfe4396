using System.Globalization;
using CityOps.Twin.Grains.Placement;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// The twin's grain storage: the rows and queries of Orleans' ADO.NET grain storage (so either reads what the other
/// wrote), with writes from many grains sharing one transaction (<see cref="GroupCommitQueue"/>): about 1,000 single
/// writes/s on SQLite become tens of thousands. Case steps and alarms are acknowledged after their commit; the state
/// names configured as write-behind (hot sensor state) return at once and are saved within their window
/// (<see cref="WriteBehindBuffer"/>), and whatever is unsaved when the silo stops is saved before it goes.
/// </summary>
public sealed class GroupCommitGrainStorage : IGrainStorage, IHotStateFlush, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _name;
    private readonly string _serviceId;
    private readonly TwinDatabase _database;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly IReadOnlyDictionary<string, TimeSpan> _writeBehindWindows;
    private readonly TimeProvider _time;
    private readonly ILogger<GroupCommitGrainStorage> _logger;
    private readonly Dictionary<string, WriteBehindBuffer> _writeBehind = new(StringComparer.Ordinal);
    private readonly WriteBehindMeter? _meter;
    private readonly List<IDisposable> _tracked = [];
    private GroupCommitQueue? _queue;
    private string? _readQuery;

    public GroupCommitGrainStorage(
        string name,
        string serviceId,
        TwinDatabase database,
        IGrainStorageSerializer serializer,
        IActivatorProvider activators,
        IReadOnlyDictionary<string, TimeSpan> writeBehind,
        TimeProvider time,
        ILogger<GroupCommitGrainStorage> logger,
        WriteBehindMeter? meter = null)
    {
        _name = name;
        _serviceId = serviceId;
        _database = database;
        _serializer = serializer;
        _activators = activators;
        _writeBehindWindows = writeBehind;
        _time = time;
        _logger = logger;
        _meter = meter;
    }

    /// <summary>Group transactions committed and the writes they held, for the benchmark and the tests.</summary>
    public (long Transactions, long Writes) Commits => _queue is { } queue ? (queue.Transactions, queue.Writes) : (0, 0);

    /// <summary>Write-behind states not saved yet.</summary>
    public int Unsaved => _writeBehind.Values.Sum(buffer => buffer.Count);

    /// <summary>A write-behind flush is under way.</summary>
    public bool Flushing => _writeBehind.Values.Any(buffer => buffer.Flushing);

    /// <summary>Write-behind states are written through for now, because flushes take too long to keep their window.</summary>
    public bool WritesThrough => _writeBehind.Values.Any(buffer => buffer.WritesThrough);

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe($"{nameof(GroupCommitGrainStorage)}-{_name}", ServiceLifecycleStage.ApplicationServices, StartAsync, StopAsync);
        // The first thing a stopping silo does: save what is written behind while its grains are still here and the
        // cluster still routes to them, so that an activation another silo starts meanwhile reads it. Each grain
        // saves the rest as it deactivates (HotState), and StopAsync whatever is left.
        lifecycle.Subscribe($"{nameof(GroupCommitGrainStorage)}-{_name}-early", ServiceLifecycleStage.Active, _ => Task.CompletedTask, FlushAllAsync);
    }

    private async Task FlushAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_writeBehind.Values.Select(buffer => buffer.FlushAsync())).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _logger.LogWarning("Storage {Storage}: saving written-behind states as the silo stops failed ({Problem}); they are tried again as grains deactivate", _name, exception.Message);
        }
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var queries = await ReadQueriesAsync(cancellationToken).ConfigureAwait(false);
        _readQuery = queries["ReadFromStorageKey"];
        _queue = new GroupCommitQueue(_database, queries["TwinGroupWriteKey"], _logger,
            _database.Kind == StorageKind.Sqlite ? new SplitStateWrite(queries["TwinGroupUpdateKey"], queries["TwinGroupInsertKey"]) : null,
            _writeBehindWindows.Values);
        foreach (var (stateName, window) in _writeBehindWindows)
        {
            var buffer = new WriteBehindBuffer(stateName, window, _queue, ReadVersionAsync, _time, _logger, _meter);
            _writeBehind[stateName] = buffer;
            if (_meter is not null)
            {
                _tracked.Add(_meter.Track(stateName, () => buffer.Count));
            }
        }
    }

    // Grains are deactivated (and write their last states) in later stages, which stop before this one.
    private async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var (stateName, buffer) in _writeBehind)
        {
            var unsaved = buffer.Count;
            try
            {
                await buffer.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "Storage {Storage}: {Count} write-behind states '{State}' could not be saved at shutdown", _name, unsaved, stateName);
            }
            await buffer.DisposeAsync().ConfigureAwait(false);
        }
        _tracked.ForEach(tracked => tracked.Dispose());
        _tracked.Clear();
        if (_queue is not null)
        {
            await _queue.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Saves the grain's written-behind states now (it is deactivating; its next activation may be elsewhere).</summary>
    public Task FlushAsync(GrainId grain) => _writeBehind.Count == 0
        ? Task.CompletedTask
        : Task.WhenAll(_writeBehind.Select(entry => entry.Value.FlushRowAsync(GrainStateRow.Of(_serviceId, entry.Key, grain))));

    /// <summary>The version the database holds of a row, or null when it has none.</summary>
    private async Task<int?> ReadVersionAsync(GrainStateRow row)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = _readQuery ?? throw NotStarted();
        GrainStateParameters.AddKey(command, row);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        return await reader.ReadAsync().ConfigureAwait(false) ? Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture) : null;
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var row = GrainStateRow.Of(_serviceId, stateName, grainId);
        if (_writeBehind.TryGetValue(stateName, out var buffer) && buffer.TryRead(row, out var unsaved, out var unsavedVersion))
        {
            Apply(grainState, unsaved, unsavedVersion, recordExists: true);
            return;
        }

        await using var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = _readQuery ?? throw NotStarted();
        GrainStateParameters.AddKey(command, row);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        if (!await reader.ReadAsync().ConfigureAwait(false))
        {
            Apply(grainState, null, null, recordExists: false);
            return;
        }
        var payload = await reader.IsDBNullAsync(0).ConfigureAwait(false) ? null : (byte[])reader.GetValue(0);
        Apply(grainState, payload, Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture), recordExists: true);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var row = GrainStateRow.Of(_serviceId, stateName, grainId);
        var payload = _serializer.Serialize(grainState.State).ToArray();
        if (_writeBehind.TryGetValue(stateName, out var buffer))
        {
            grainState.ETag = Format(buffer.Write(row, grainState.ETag, payload, out var saved));
            grainState.RecordExists = true;
            await saved.ConfigureAwait(false);
            return;
        }

        var expected = ParseVersion(grainState.ETag);
        var write = new GrainStateWrite(row, payload, expected, (expected ?? 0) + 1);
        if (!await Queue.WriteAsync(write).ConfigureAwait(false))
        {
            throw Conflict("write", grainId, stateName, grainState.ETag);
        }
        grainState.ETag = Format(write.NewVersion);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!grainState.RecordExists)
        {
            await ReadStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
            if (!grainState.RecordExists)
            {
                return;
            }
        }

        var row = GrainStateRow.Of(_serviceId, stateName, grainId);
        var expected = ParseVersion(grainState.ETag);
        var current = expected ?? 0;
        if (_writeBehind.TryGetValue(stateName, out var buffer) && buffer.TryTake(row, out var stored, out var unsavedVersion))
        {
            if (unsavedVersion != current)
            {
                throw Conflict("clear", grainId, stateName, grainState.ETag);
            }
            expected = stored;
        }

        var write = new GrainStateWrite(row, null, expected, current + 1);
        if (!await Queue.WriteAsync(write).ConfigureAwait(false))
        {
            throw Conflict("clear", grainId, stateName, grainState.ETag);
        }
        grainState.ETag = Format(write.NewVersion);
        grainState.RecordExists = false;
        grainState.State = _activators.GetActivator<T>().Create();
    }

    private GroupCommitQueue Queue => _queue ?? throw NotStarted();

    private void Apply<T>(IGrainState<T> grainState, byte[]? payload, int? version, bool recordExists)
    {
        grainState.State = payload is null ? _activators.GetActivator<T>().Create() : _serializer.Deserialize<T>(new BinaryData(payload));
        grainState.ETag = version is { } v ? Format(v) : null;
        grainState.RecordExists = recordExists;
    }

    /// <summary>Writes refused for a version conflict: another writer saved the state first (two silos over one database?).</summary>
    /// <summary>
    /// Runs <paramref name="write"/> in the next group transaction, or in a transaction of its own while the group
    /// commit is not running (before the silo's application services start, after they stop).
    /// </summary>
    internal async Task<bool> WriteThroughAsync(CommandWrite write)
    {
        if (_queue is { } queue)
        {
            try
            {
                return await queue.WriteAsync(write).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Stopping: the group commit has closed; write alone.
            }
        }
        await using var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var transaction = await TwinDatabase.BeginWriteAsync(connection, CancellationToken.None).ConfigureAwait(false);
        var applied = await GroupCommitQueue.RunCommandAsync(connection, transaction, write).ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
        return applied;
    }

    public long Conflicts => Interlocked.Read(ref _conflicts);

    public string? LastConflict => Volatile.Read(ref _lastConflict);

    private long _conflicts;
    private string? _lastConflict;

    private InconsistentStateException Conflict(string operation, GrainId grainId, string stateName, string? etag)
    {
        Interlocked.Increment(ref _conflicts);
        Volatile.Write(ref _lastConflict, $"{operation} of state '{stateName}' of {grainId} at {_time.GetUtcNow():O}");
        return ConflictException(operation, grainId, stateName, etag);
    }

    private InconsistentStateException ConflictException(string operation, GrainId grainId, string stateName, string? etag) =>
        new($"Version conflict ({operation}) in storage '{_name}' on {_database.Describe()}: state '{stateName}' of {grainId} " +
            $"is no longer at version {etag ?? "none (not stored yet)"}; another activation or writer saved it first. Nothing was written.",
            string.Empty, etag ?? string.Empty);

    private InvalidOperationException NotStarted() =>
        new($"Grain storage '{_name}' is used before the silo started it (or after it stopped).");

    private async Task<Dictionary<string, string>> ReadQueriesAsync(CancellationToken cancellationToken)
    {
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        string[] keys = _database.Kind == StorageKind.Sqlite
            ? ["ReadFromStorageKey", "TwinGroupWriteKey", "TwinGroupUpdateKey", "TwinGroupInsertKey"]
            : ["ReadFromStorageKey", "TwinGroupWriteKey"];
        command.CommandText = $"SELECT QueryKey, QueryText FROM OrleansQuery WHERE QueryKey IN ({string.Join(", ", keys.Select(key => $"'{key}'"))})";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            queries[reader.GetString(0)] = reader.GetString(1);
        }
        foreach (var key in keys)
        {
            if (!queries.ContainsKey(key))
            {
                throw new InvalidOperationException($"Grain storage '{_name}': OrleansQuery on {_database.Describe()} has no '{key}'; the schema was not installed (AddTwinStorage installs it).");
            }
        }
        return queries;
    }

    private static string Format(int version) => version.ToString(CultureInfo.InvariantCulture);

    private static int? ParseVersion(string? etag) =>
        string.IsNullOrEmpty(etag) ? null : int.Parse(etag, NumberStyles.None, CultureInfo.InvariantCulture);
}
