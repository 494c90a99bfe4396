namespace CityOps.Twin.Runtime;

/// <summary>
/// A write was made from a stale version: someone else (another activation, another silo over the same
/// database) wrote the state since it was read. Nothing was overwritten.
/// </summary>
public sealed class InconsistentStateException(GrainStateKey key, long expectedVersion, long storedVersion)
    : Exception($"State '{key.StateName}' of grain {key.GrainType}/{key.GrainKey} was written at version {expectedVersion}, but the store holds version {storedVersion}: another writer changed it since it was read; nothing was overwritten.")
{
    public GrainStateKey Key { get; } = key;

    public long ExpectedVersion { get; } = expectedVersion;

    public long StoredVersion { get; } = storedVersion;
}
