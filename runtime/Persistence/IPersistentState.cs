namespace CityOps.Twin.Runtime;

/// <summary>
/// A grain's durable state, injected into its constructor with <see cref="PersistentStateAttribute"/>.
/// Loaded before <see cref="Grain.OnActivateAsync"/>. <see cref="Etag"/> is the stored version: a write
/// from a stale version throws <see cref="InconsistentStateException"/> instead of overwriting.
/// </summary>
public interface IPersistentState<TState>
{
    TState State { get; set; }

    /// <summary>The stored version this state was read or last written at; 0 before the first write.</summary>
    long Etag { get; }

    bool RecordExists { get; }

    Task ReadStateAsync();

    /// <summary>Write-through: durable when the task completes. Write-behind: queued, durable within the window.</summary>
    Task WriteStateAsync();

    Task ClearStateAsync();
}
