using System.Collections.Concurrent;
using CityOps.Twin.Runtime.Hosting;
using CityOps.Twin.Runtime.Persistence;
using CityOps.Twin.Runtime.Tests.Support;
using CityOps.Twin.Runtime.Timers;

namespace CityOps.Twin.Runtime.Tests.Persistence;

public sealed class MemoryStorageContract : GrainStorageContract
{
    private static readonly ConcurrentDictionary<string, (MemoryGrainStorage Storage, MemoryReminderTable Reminders)> Stores = new();

    protected override string NewStore() => Guid.NewGuid().ToString("N");

    protected override IGrainStorage CreateStorage(string store) => Get(store).Storage;

    protected override void UseStore(GrainRuntimeBuilder builder, string store)
    {
        var (storage, reminders) = Get(store);
        builder.UseStorage(storage, reminders);
    }

    private static (MemoryGrainStorage Storage, MemoryReminderTable Reminders) Get(string store) =>
        Stores.GetOrAdd(store, _ => (new MemoryGrainStorage(), new MemoryReminderTable()));
}

public sealed class SqliteStorageContract : GrainStorageContract
{
    protected override string NewStore() => TestDatabases.NewSqlitePath();

    protected override IGrainStorage CreateStorage(string store)
    {
        var database = new SqliteDatabase(store);
        database.EnsureSchemaAsync().GetAwaiter().GetResult();
        return new RelationalGrainStorage(database, TimeProvider.System);
    }

    protected override void UseStore(GrainRuntimeBuilder builder, string store) => builder.UseSqlite(store);
}

public sealed class PostgreSqlStorageContract : GrainStorageContract
{
    protected override string NewStore() => TestDatabases.PostgresConnectionString;

    protected override IGrainStorage CreateStorage(string store)
    {
        var database = new PostgreSqlDatabase(store);
        database.EnsureSchemaAsync().GetAwaiter().GetResult();
        return new RelationalGrainStorage(database, TimeProvider.System);
    }

    protected override void UseStore(GrainRuntimeBuilder builder, string store) => builder.UsePostgreSql(store);
}
