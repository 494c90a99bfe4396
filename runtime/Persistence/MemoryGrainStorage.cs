namespace CityOps.Twin.Runtime.Persistence;

/// <summary>
/// Grain storage in the silo's memory, for tests and throw-away runs. It keeps the serialized JSON, not the
/// objects, so it behaves like the databases: a read gets a copy, and versions are checked the same way.
/// </summary>
public sealed class MemoryGrainStorage(string name = PersistentStateAttribute.DefaultStorage) : IGrainStorage
{
    private readonly Dictionary<GrainStateKey, GrainStateRecord> _records = [];
    private readonly Lock _lock = new();

    public string Name { get; } = name;

    public Task<GrainStateRecord?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_records.GetValueOrDefault(key));
        }
    }

    // Conflicts come back as faulted tasks, as from the databases, never thrown from the call itself.
    public Task<long> WriteAsync(GrainStateKey key, string payload, long expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            try
            {
                return Task.FromResult(WriteLocked(key, payload, expectedVersion));
            }
            catch (InconsistentStateException conflict)
            {
                return Task.FromException<long>(conflict);
            }
        }
    }

    public Task<long> ClearAsync(GrainStateKey key, long expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var stored = _records.GetValueOrDefault(key)?.Version ?? 0;
            if (stored != expectedVersion)
            {
                return Task.FromException<long>(new InconsistentStateException(key, expectedVersion, stored));
            }
            if (stored == 0)
            {
                return Task.FromResult(0L);
            }
            _records[key] = new GrainStateRecord(stored + 1, null);
            return Task.FromResult(stored + 1);
        }
    }

    public Task<IReadOnlyList<GrainStateWriteResult>> WriteManyAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken = default)
    {
        var results = new GrainStateWriteResult[writes.Count];
        lock (_lock)
        {
            for (var i = 0; i < writes.Count; i++)
            {
                try
                {
                    results[i] = new GrainStateWriteResult(WriteLocked(writes[i].Key, writes[i].Payload, writes[i].ExpectedVersion), null);
                }
                catch (InconsistentStateException conflict)
                {
                    results[i] = new GrainStateWriteResult(0, conflict);
                }
            }
        }
        return Task.FromResult<IReadOnlyList<GrainStateWriteResult>>(results);
    }

    private long WriteLocked(GrainStateKey key, string payload, long expectedVersion)
    {
        var stored = _records.GetValueOrDefault(key)?.Version ?? 0;
        if (stored != expectedVersion)
        {
            throw new InconsistentStateException(key, expectedVersion, stored);
        }
        _records[key] = new GrainStateRecord(stored + 1, payload);
        return stored + 1;
    }
}
