using System.Text.Json.Serialization.Metadata;

namespace CityOps.Twin.Silo.Storage;

/// <summary>How <see cref="TwinStorageSiloBuilderExtensions.AddTwinStorage"/> wires grain storage and reminders.</summary>
public sealed class TwinStorageOptions
{
    /// <summary>The grain storage name the grains' <c>[PersistentState(name, "twin")]</c> ask for; also the default storage.</summary>
    public const string DefaultProviderName = "twin";

    public StorageKind Kind { get; set; } = StorageKind.Sqlite;

    /// <summary>ADO.NET connection string: <c>Data Source=twin.db</c> for SQLite, <c>Host=...;Database=...</c> for PostgreSQL.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    public string ProviderName { get; set; } = DefaultProviderName;

    public GrainStorageEngine Engine { get; set; } = GrainStorageEngine.GroupCommit;

    /// <summary>
    /// The types of stored state, source-generated (the grains' <c>GrainStateJsonContext</c>): state is System.Text.Json
    /// in the payload column, and a type missing from it is refused by name rather than serialized by reflection.
    /// </summary>
    public IJsonTypeInfoResolver? JsonTypes { get; set; }

    /// <summary>
    /// State names saved behind (group commit only), each with the longest it may stay unsaved: a grain's write
    /// returns at once and its latest state reaches the database within the window, or when the silo stops.
    /// </summary>
    public IDictionary<string, TimeSpan> WriteBehind { get; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>Orleans membership in the same PostgreSQL (ADO.NET clustering), for a cluster of silos.</summary>
    public bool UseDatabaseClustering { get; set; }

    internal void Validate()
    {
        if (Kind != StorageKind.Memory && string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException($"Twin storage on {Kind} needs a connection string (TwinStorageOptions.ConnectionString).");
        }
        if (JsonTypes is null)
        {
            throw new ArgumentException("Twin storage needs the JSON context of the stored state types (TwinStorageOptions.JsonTypes).");
        }
        if (UseDatabaseClustering && Kind != StorageKind.PostgreSql)
        {
            throw new ArgumentException($"Database clustering runs on PostgreSQL only; a {Kind} silo uses localhost clustering.");
        }
        if (WriteBehind.Count > 0 && Engine != GrainStorageEngine.GroupCommit)
        {
            throw new ArgumentException($"Write-behind states ({string.Join(", ", WriteBehind.Keys)}) need the group-commit engine, not {Engine}.");
        }
        foreach (var (name, window) in WriteBehind)
        {
            if (window <= TimeSpan.Zero)
            {
                throw new ArgumentException($"The write-behind window of state '{name}' must be positive, not {window}.");
            }
        }
    }
}
