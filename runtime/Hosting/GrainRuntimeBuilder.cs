using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using CityOps.Twin.Runtime.Persistence;
using CityOps.Twin.Runtime.Timers;

namespace CityOps.Twin.Runtime.Hosting;

/// <summary>Configures a silo: its grain assemblies, state serialization, storage, streams and options.</summary>
public sealed class GrainRuntimeBuilder
{
    private Func<TimeProvider, StorageChoice> _storage = static _ => new StorageChoice([new MemoryGrainStorage()], new MemoryReminderTable(), []);

    internal List<Assembly> Assemblies { get; } = [];

    internal List<IJsonTypeInfoResolver> Resolvers { get; } = [];

    internal List<string> StreamProviders { get; } = ["Default"];

    internal List<IGrainStorage> ExtraStorages { get; } = [];

    public GrainRuntimeOptions Options { get; } = new();

    public GrainRuntimeBuilder AddGrains(Assembly assembly)
    {
        Assemblies.Add(assembly);
        return this;
    }

    /// <summary>Registers source-generated JSON metadata (a JsonSerializerContext) for grain state types.</summary>
    public GrainRuntimeBuilder AddStateSerialization(IJsonTypeInfoResolver resolver)
    {
        Resolvers.Add(resolver);
        return this;
    }

    public GrainRuntimeBuilder AddStreams(string name)
    {
        StreamProviders.Add(name);
        return this;
    }

    public GrainRuntimeBuilder Configure(Action<GrainRuntimeOptions> configure)
    {
        configure(Options);
        return this;
    }

    /// <summary>State and reminders in memory: gone when the process ends.</summary>
    public GrainRuntimeBuilder UseInMemoryStorage()
    {
        _storage = static _ => new StorageChoice([new MemoryGrainStorage()], new MemoryReminderTable(), []);
        return this;
    }

    /// <summary>The embedded default: state and reminders in one SQLite file.</summary>
    public GrainRuntimeBuilder UseSqlite(string path, bool synchronousFull = false)
    {
        _storage = time =>
        {
            var database = new SqliteDatabase(path, synchronousFull);
            return new StorageChoice([new RelationalGrainStorage(database, time)], new RelationalReminderTable(database), [database]);
        };
        return this;
    }

    public GrainRuntimeBuilder UsePostgreSql(string connectionString)
    {
        _storage = time =>
        {
            var database = new PostgreSqlDatabase(connectionString);
            return new StorageChoice([new RelationalGrainStorage(database, time)], new RelationalReminderTable(database), [database]);
        };
        return this;
    }

    /// <summary>A storage and reminder table of the caller's own, for tests that need to watch or break the store.</summary>
    public GrainRuntimeBuilder UseStorage(IGrainStorage storage, IReminderTable reminders)
    {
        _storage = _ => new StorageChoice([storage], reminders, []);
        return this;
    }

    /// <summary>Another named storage beside the default, for <c>[PersistentState(name, storageName)]</c>.</summary>
    public GrainRuntimeBuilder AddGrainStorage(IGrainStorage storage)
    {
        ExtraStorages.Add(storage);
        return this;
    }

    internal StorageChoice CreateStorage(TimeProvider time) => _storage(time);

    internal sealed record StorageChoice(IReadOnlyList<IGrainStorage> Storages, IReminderTable Reminders, IReadOnlyList<RelationalDatabase> Databases);
}
