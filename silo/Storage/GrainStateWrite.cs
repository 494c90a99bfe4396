using System.Data.Common;

namespace CityOps.Twin.Silo.Storage;

/// <summary>One write waiting for its group's transaction in the <see cref="GroupCommitQueue"/>.</summary>
internal abstract record GroupWrite
{
    /// <summary>True once committed, false if its condition did not hold (nothing written); faulted if the transaction failed.</summary>
    public TaskCompletionSource<bool> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The number of the queue's transaction that held this write (from 1), once it has committed.</summary>
    public long Transaction { get; set; }

    /// <summary>A write-behind save: by when (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>) its window wants it committed.</summary>
    public long Deadline { get; set; }
}

/// <summary>
/// One state write: applied only if the row holds <see cref="ExpectedVersion"/> (null: no row yet), which then
/// becomes <see cref="NewVersion"/>. A null payload clears the state.
/// </summary>
internal sealed record GrainStateWrite(GrainStateRow Row, byte[]? Payload, int? ExpectedVersion, int NewVersion) : GroupWrite;

/// <summary>
/// Any other statement that must share the one writer (on SQLite, the reminder table's changes): run inside the
/// group's transaction; it answers whether it took effect, and what it read back, if anything.
/// </summary>
internal sealed record CommandWrite(string Sql, Action<DbCommand> Bind, string What) : GroupWrite
{
    /// <summary>The first column of the statement's last result row, once committed.</summary>
    public object? Result { get; set; }
}
