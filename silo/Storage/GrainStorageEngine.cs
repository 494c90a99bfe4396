namespace CityOps.Twin.Silo.Storage;

/// <summary>Which code writes the state rows; both read and write the same rows, so either reads what the other wrote.</summary>
public enum GrainStorageEngine
{
    /// <summary>Orleans' own ADO.NET grain storage: one transaction per write (about 1,000 writes/s on SQLite here).</summary>
    AdoNet,

    /// <summary><see cref="GroupCommitGrainStorage"/>: writes arriving together share a transaction; hot states may be saved behind.</summary>
    GroupCommit,
}
