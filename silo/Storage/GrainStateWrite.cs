namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// One state write waiting for its group's transaction: applied only if the row holds <see cref="ExpectedVersion"/>
/// (null: no row yet), which then becomes <see cref="NewVersion"/>. A null payload clears the state.
/// </summary>
internal sealed record GrainStateWrite(GrainStateRow Row, byte[]? Payload, int? ExpectedVersion, int NewVersion)
{
    /// <summary>True once committed, false if the version did not match (nothing written); faulted if the transaction failed.</summary>
    public TaskCompletionSource<bool> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
