namespace CityOps.Twin.Silo.Storage;

/// <summary>Where the silo keeps grain state and reminders: the embedded file, a shared server, or nowhere durable.</summary>
public enum StorageKind
{
    /// <summary>One SQLite file in WAL mode: the embedded default of a single silo.</summary>
    Sqlite,

    /// <summary>PostgreSQL: state, reminders and (when clustered) membership shared by every silo.</summary>
    PostgreSql,

    /// <summary>In memory: drills and tests whose city need not outlive the process.</summary>
    Memory,
}
