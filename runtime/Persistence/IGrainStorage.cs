namespace CityOps.Twin.Runtime;

/// <summary>Addresses one stored state: a grain and the state's name.</summary>
public readonly record struct GrainStateKey(string GrainType, string GrainKey, string StateName);

/// <summary>A stored state: its version and its JSON, or null JSON for a cleared record.</summary>
public sealed record GrainStateRecord(long Version, string? Payload);

/// <summary>One conditional write in a batch.</summary>
public sealed record GrainStateWrite(GrainStateKey Key, string Payload, long ExpectedVersion);

/// <summary>
/// Grain state storage. Every write is conditional on the version the writer read: versions start at 0
/// (no record), the first write makes 1, each write or clear adds 1. A mismatch throws
/// <see cref="InconsistentStateException"/>.
/// </summary>
public interface IGrainStorage
{
    string Name { get; }

    Task<GrainStateRecord?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken = default);

    /// <returns>The new version.</returns>
    Task<long> WriteAsync(GrainStateKey key, string payload, long expectedVersion, CancellationToken cancellationToken = default);

    /// <returns>The new version; the record reads back as not existing.</returns>
    Task<long> ClearAsync(GrainStateKey key, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes many states in one transaction where the store has them. Each result is the new version, or
    /// the exception for that write alone (a version conflict); the other writes still land.
    /// </summary>
    Task<IReadOnlyList<GrainStateWriteResult>> WriteManyAsync(IReadOnlyList<GrainStateWrite> writes, CancellationToken cancellationToken = default);
}

public readonly record struct GrainStateWriteResult(long NewVersion, Exception? Error);
