using CityOps.Twin.Silo.Storage;
using Orleans.Hosting;

namespace CityOps.Twin.Grains.Tests.Support;

/// <summary>
/// Where a test silo keeps grain state and reminders: in memory, or the twin's own storage over a SQLite file or a
/// PostgreSQL database (wired as the product wires it). A silo started again over the same store is a restart: it
/// runs under the store's ServiceId, so it finds what the one before left.
/// </summary>
public sealed class TwinStore
{
    /// <summary>One ServiceId for every database-backed store: each test has a file or database of its own.</summary>
    private const string DatabaseServiceId = "cityops-grains-tests";

    private readonly Action<ISiloBuilder> _configure;

    private TwinStore(string? serviceId, Action<ISiloBuilder> configure)
    {
        ServiceId = serviceId;
        _configure = configure;
    }

    /// <summary>Null for a store no second silo can find (in memory): the silo takes a ServiceId of its own.</summary>
    public string? ServiceId { get; }

    public static TwinStore Memory() => new(null, silo => silo.AddTwinStorage(storage =>
    {
        storage.Kind = StorageKind.Memory;
        storage.JsonTypes = TwinGrains.StateTypes;
    }));

    /// <summary>A SQLite file of the test's own, under the temp folder.</summary>
    public static TwinStore NewSqlite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cityops-grains-tests");
        Directory.CreateDirectory(folder);
        return Database(StorageKind.Sqlite, $"Data Source={Path.Combine(folder, $"{Guid.NewGuid():N}.db")}");
    }

    /// <summary>A new PostgreSQL database of the test's own (see <see cref="TestDatabase"/>).</summary>
    public static async Task<TwinStore> NewPostgresAsync(string label) =>
        Database(StorageKind.PostgreSql, await TestDatabase.NewPostgresAsync(label));

    /// <summary>Storage a test wires itself (a store that fails on demand); nothing of it outlives the silo.</summary>
    public static TwinStore Custom(Action<ISiloBuilder> configure) => new(null, configure);

    public static Task<TwinStore> ByNameAsync(string store, string label) =>
        store == "sqlite" ? Task.FromResult(NewSqlite()) : NewPostgresAsync(label);

    internal void Configure(ISiloBuilder silo) => _configure(silo);

    /// <summary>The twin's storage as <c>AddTwinSilo</c> wires it: group commit, with the grains' hot states written behind.</summary>
    private static TwinStore Database(StorageKind kind, string connectionString) => new(DatabaseServiceId, silo => silo.AddTwinStorage(storage =>
    {
        storage.Kind = kind;
        storage.ConnectionString = connectionString;
        storage.JsonTypes = TwinGrains.StateTypes;
        foreach (var (state, window) in TwinGrains.WriteBehind)
        {
            storage.WriteBehind[state] = window;
        }
    }));
}
