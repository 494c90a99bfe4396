using CityOps.Twin.Runtime.Persistence;

namespace CityOps.Twin.Runtime.Tests.Support;

/// <summary>A memory storage that tells the probe of every write, and can be made to fail as a database that went away.</summary>
public sealed class RecordingStorage(TestProbe probe) : IGrainStorage
{
    private readonly MemoryGrainStorage _inner = new();

    public string Name => _inner.Name;

    public int SingleWrites;

    public int BatchedWrites;

    public volatile bool Unavailable;

    /// <summary>When set, batches wait for it: a test can hold a flush in the middle.</summary>
    public TaskCompletionSource? BatchGate;

    public Task<GrainStateRecord?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken = default) => _inner.ReadAsync(key, cancellationToken);

    public async Task<long> WriteAsync(GrainStateKey key, string payload, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        var version = await _inner.WriteAsync(key, payload, expectedVersion, cancellationToken);
        Interlocked.Increment(ref SingleWrites);
        probe.Signal("single-write");
        return version;
    }

    public Task<long> ClearAsync(GrainStateKey key, long expectedVersion, CancellationToken cancellationToken = default) => _inner.ClearAsync(key, expectedVersion, cancellationToken);

    public async Task<IReadOnlyList<GrainStateWriteResult>> WriteManyAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        probe.Signal("batch-started");
        if (BatchGate is { } gate)
        {
            await gate.Task;
        }
        var results = await _inner.WriteManyAsync(writes, cancellationToken);
        Interlocked.Add(ref BatchedWrites, writes.Count);
        probe.Signal("batch-written");
        return results;
    }

    private void ThrowIfUnavailable()
    {
        if (Unavailable)
        {
            probe.Signal("write-refused");
            throw new IOException("the database is unreachable");
        }
    }
}
