using CityOps.Twin.Grains.Placement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// One call wires the twin's storage into a silo: the schema (installed at start), grain storage under
/// <see cref="TwinStorageOptions.ProviderName"/> and as the default, reminders (on SQLite through the group commit with
/// our queries, <see cref="SqliteReminderTable"/>; Orleans' ADO.NET table on PostgreSQL; in memory for memory), and, for a cluster on PostgreSQL, membership.
/// </summary>
public static class TwinStorageSiloBuilderExtensions
{
    public static ISiloBuilder AddTwinStorage(this ISiloBuilder builder, Action<TwinStorageOptions> configure)
    {
        var options = new TwinStorageOptions();
        configure(options);
        options.Validate();
        var serializer = new JsonGrainStorageSerializer(options.JsonTypes!);
        var name = options.ProviderName;

        if (options.Kind == StorageKind.Memory)
        {
            builder.AddMemoryGrainStorage(name, memory => memory.GrainStorageSerializer = serializer);
            builder.UseInMemoryReminderService();
            AddDefaultStorage(builder.Services, name);
            return builder;
        }

        var database = new TwinDatabase(options.Kind, options.ConnectionString);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton<SchemaInstaller>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<SchemaInstaller>());

        if (options.Engine == GrainStorageEngine.AdoNet)
        {
            builder.AddAdoNetGrainStorage(name, adoNet =>
            {
                adoNet.Invariant = database.Invariant;
                adoNet.ConnectionString = database.ConnectionString;
                adoNet.GrainStorageSerializer = serializer;
            });
        }
        else
        {
            var windows = new Dictionary<string, TimeSpan>(options.WriteBehind, StringComparer.Ordinal);
            builder.Services.AddMetrics();
            builder.Services.TryAddSingleton<WriteBehindMeter>();
            builder.Services.AddKeyedSingleton<IGrainStorage>(name, (services, _) => new GroupCommitGrainStorage(
                name,
                services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                database,
                serializer,
                services.GetRequiredService<IActivatorProvider>(),
                windows,
                services.GetService<TimeProvider>() ?? TimeProvider.System,
                services.GetRequiredService<ILogger<GroupCommitGrainStorage>>(),
                services.GetRequiredService<WriteBehindMeter>()));
            builder.Services.AddSingleton(services => (ILifecycleParticipant<ISiloLifecycle>)services.GetRequiredKeyedService<IGrainStorage>(name));
            // A grain leaving this silo saves its written-behind states at once (HotState).
            builder.Services.AddSingleton(services => (IHotStateFlush)services.GetRequiredKeyedService<IGrainStorage>(name));
        }
        AddDefaultStorage(builder.Services, name);

        if (options.Kind == StorageKind.Sqlite && options.Engine == GrainStorageEngine.GroupCommit)
        {
            // SQLite's one writer: reminder changes share the group commit's transactions (see SqliteReminderTable).
            builder.AddReminders();
            builder.Services.AddSingleton(new TwinStorageProviderName(name));
            builder.Services.AddSingleton<IReminderTable, SqliteReminderTable>();
        }
        else
        {
            builder.UseAdoNetReminderService(reminders =>
            {
                reminders.Invariant = database.Invariant;
                reminders.ConnectionString = database.ConnectionString;
            });
        }

        if (options.UseDatabaseClustering)
        {
            builder.UseAdoNetClustering(clustering =>
            {
                clustering.Invariant = database.Invariant;
                clustering.ConnectionString = database.ConnectionString;
            });
        }
        return builder;
    }

    // The default storage is the same instance, not a second provider over the same rows.
    private static void AddDefaultStorage(IServiceCollection services, string name)
    {
        if (name != ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME)
        {
            services.AddKeyedSingleton<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME,
                (provider, _) => provider.GetRequiredKeyedService<IGrainStorage>(name));
        }
    }
}
