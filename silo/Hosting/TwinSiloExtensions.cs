using System.Net;
using System.Net.Sockets;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Contracts.Live;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Live;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Grains.Placement;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Signs;
using CityOps.Twin.Silo.Cap;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Drills;
using CityOps.Twin.Silo.History;
using CityOps.Twin.Silo.Mode;
using CityOps.Twin.Silo.Security;
using CityOps.Twin.Silo.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace CityOps.Twin.Silo.Hosting;

public static class TwinSiloExtensions
{
    /// <summary>Every silo of one twin stores its grains' state under this service id, so a restarted silo finds it.</summary>
    public const string ServiceId = "cityops-twin";

    /// <summary>
    /// The Orleans silo with the twin's grains over the chosen storage, and the silo's services: the city, the live feed,
    /// the mode cache, the switchboard, drills and CAP.
    /// </summary>
    /// <exception cref="InvalidDataException">A catalogue, rules or city file is malformed; the message says where.</exception>
    public static IHostApplicationBuilder AddTwinSilo(this IHostApplicationBuilder builder, SiloSettings settings)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        // Sign-in cookies and antiforgery tokens are protected with keys every silo of the twin must share: over
        // PostgreSQL they live in the database (a user signed in on one silo is signed in on all), else in --data.
        var dataProtection = services.AddDataProtection().SetApplicationName(ServiceId);
        if (settings.Storage == StorageKind.Postgres)
        {
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(
                keys => keys.XmlRepository = new DatabaseKeyRepository(sp.GetRequiredService<TwinDatabase>())));
        }
        else
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.DataFolder, "keys")));
        }
        services.AddTwinCatalogues(
            Load(settings.CaseCategoriesFile, CaseCategoryCatalogue.Load),
            Load(settings.SensorRulesFile, SensorRulebook.Load),
            configuration.GetSection("VitalSigns:Weights").Exists() ? configuration.GetSection("VitalSigns:Weights").Get<VitalSignsWeights>() : null);
        if (settings.Storage == StorageKind.Sqlite)
        {
            Directory.CreateDirectory(settings.DataFolder);
        }
        // Before the silo: the history's writer starts first and stops last (HistoryHosting).
        services.AddTwinHistory(configuration, settings);

        builder.UseOrleans(silo =>
        {
            if (settings.Cluster is { } cluster)
            {
                // One of several silos: membership in the database, fixed ports (a silo restarted on its own ports
                // replaces its old entry at once), and failure detection tuned to declare a dead silo in seconds.
                silo.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = cluster.Id;
                    options.ServiceId = ServiceId;
                });
                silo.ConfigureEndpoints(cluster.Advertise, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
                silo.Configure<ClusterMembershipOptions>(membership =>
                {
                    TuneForFastFailover(membership);
                    configuration.GetSection("Cluster:Membership").Bind(membership);
                });
                // The strongly consistent directory: Orleans' default one allows duplicate activations while silos
                // join and leave, and a sensor's two activations each took readings, one of which lost them at a
                // rolling restart. Its range lease is matched to the failure detection above (README, "How the twin
                // uses Orleans").
#pragma warning disable ORLEANSEXP003 // experimental in 10.4.2: the one directory that never activates a grain twice
                silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
                silo.Configure<GrainDirectoryOptions>(directory =>
                {
                    MatchLeaseToFailureDetection(directory, configuration);
                    configuration.GetSection("Cluster:Directory").Bind(directory);
                });
            }
            else
            {
                silo.UseLocalhostClustering(
                    siloPort: configuration.GetValue<int?>("silo-port") ?? FreePort(),
                    gatewayPort: configuration.GetValue<int?>("gateway-port") ?? FreePort(),
                    serviceId: ServiceId,
                    clusterId: "twin");
            }
            silo.AddTwinStorage(storage =>
            {
                storage.Kind = settings.Storage switch
                {
                    StorageKind.Sqlite => Storage.StorageKind.Sqlite,
                    StorageKind.Postgres => Storage.StorageKind.PostgreSql,
                    _ => Storage.StorageKind.Memory,
                };
                storage.ConnectionString = settings.Storage switch
                {
                    StorageKind.Sqlite => $"Data Source={settings.SqlitePath}",
                    StorageKind.Postgres => settings.ConnectionString!,
                    _ => string.Empty,
                };
                storage.JsonTypes = TwinGrains.StateTypes;
                storage.UseDatabaseClustering = settings.Cluster is not null;
                if (settings.Storage != StorageKind.Memory)
                {
                    foreach (var (state, window) in TwinGrains.WriteBehind)
                    {
                        storage.WriteBehind[state] = window;
                    }
                }
            });
            // Stopping saves every grain's hot state and deactivates the whole city: more than the default may be needed.
            silo.Configure<GrainCollectionOptions>(collection => collection.DeactivationTimeout = TimeSpan.FromMinutes(1));
        });
        services.AddTwinFeed();

        // The city (the demo city unless --city names a manifest) is filed into the grains after the silo has started.
        services.AddSingleton(new CityRegistry(settings.CityManifest is { } manifest ? CityImport.Load(manifest) : DemoCity.Build(), settings.GridToleranceMeters));
        services.AddSingleton<IGridPlacementMap>(sp => sp.GetRequiredService<CityRegistry>());
        if (settings.Cluster is not null)
        {
            // A silo that joins takes its share of the grids from the silos already holding them.
            services.AddSingleton<GridRebalancer>();
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<GridRebalancer>());
            services.AddHostedService(sp => sp.GetRequiredService<GridRebalancer>());
        }
        services.AddSingleton<CitySeeder>();
        services.AddHostedService(sp => sp.GetRequiredService<CitySeeder>());
        services.AddSingleton<ICityDirectory>(sp => new CityDirectory(
            sp.GetRequiredService<CityRegistry>(), sp.GetRequiredService<IClusterClient>(), () => sp.GetRequiredService<CitySeeder>().Filed));
        services.AddSingleton<ICaseIntake, CaseIntake>();
        services.Configure<SwitchoverOptions>(configuration.GetSection("Switchover"));
        services.AddSingleton<ModeSwitchboard>();
        services.AddSingleton<IModeSwitchboard>(sp => sp.GetRequiredService<ModeSwitchboard>());
        services.AddSingleton<SwitchProposer>();
        services.AddSingleton<ITwinChangeListener>(sp => sp.GetRequiredService<SwitchProposer>());
        services.AddSingleton<DrillDesk>();
        services.AddSingleton<IDrillDesk>(sp => sp.GetRequiredService<DrillDesk>());
        services.AddSingleton<Web.Live.IDrillCities>(sp => sp.GetRequiredService<DrillDesk>());
        services.AddTwinCap(configuration);
        return builder;
    }

    /// <summary>
    /// The silo's place in the live feed: its one observer (handing batches to the silo's listeners), its registration
    /// with the feed's hub, and its mode cache filled from the mode grain once registered.
    /// </summary>
    public static IServiceCollection AddTwinFeed(this IServiceCollection services)
    {
        services.TryAddSingleton<CityModeCache>();
        services.TryAddSingleton<TwinFeedCounters>();
        services.AddSingleton<ITwinFeedObserver, SiloFeed>();
        services.AddSingleton<TwinFeedRegistration>();
        services.AddSingleton<ITwinFeedMembership>(sp => sp.GetRequiredService<TwinFeedRegistration>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<TwinFeedRegistration>());
        services.AddHostedService(sp => sp.GetRequiredService<TwinFeedRegistration>());
        services.AddHostedService<ModeCacheFiller>();
        return services;
    }

    /// <summary>
    /// Failure detection for a city's operations: a silo that stops answering is declared dead after two missed
    /// probes of 1 s each (measured here: 2.4 s from SIGKILL to declared dead, against 13.7 s with Orleans'
    /// defaults), silos re-read the table every 2 s and write their heartbeat every 5 s. Each can be overridden
    /// under <c>Cluster:Membership</c> (Orleans' <see cref="ClusterMembershipOptions"/>).
    /// </summary>
    public static void TuneForFastFailover(ClusterMembershipOptions membership)
    {
        membership.ProbeTimeout = TimeSpan.FromSeconds(1);
        membership.NumMissedProbesLimit = 2;
        membership.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
    }

    /// <summary>
    /// How long the directory holds the ranges of a silo that died before it lets their grains activate elsewhere,
    /// in case the silo is only unreachable and its activations still run. Orleans holds them for the lease less
    /// its worst-case failure detection (four times the probe timeout times the missed probes: 60 s with its defaults,
    /// so its default 30 s lease holds nothing past detection). With the detection tuned above (8 s) the default lease
    /// held a dead silo's grains 22 s more: a SIGKILL kept requests waiting past the 5 s failover promise, and a
    /// cluster restarted whole waited 30 s. The lease is set to the detection time, as Orleans' defaults amount to; a
    /// silo declared dead learns it at its next membership read (2 s) and stops. <c>Cluster:Directory:RangeLeaseDuration</c>
    /// overrides it.
    /// </summary>
    public static void MatchLeaseToFailureDetection(GrainDirectoryOptions directory, IConfiguration configuration)
    {
        var membership = new ClusterMembershipOptions();
        TuneForFastFailover(membership);
        configuration.GetSection("Cluster:Membership").Bind(membership);
        directory.RangeLeaseDuration = 4 * membership.ProbeTimeout * membership.NumMissedProbesLimit;
    }

    private static T? Load<T>(string? path, Func<Stream, string, T> load) where T : class
    {
        if (path is null)
        {
            return null;
        }
        using var stream = File.OpenRead(path);
        return load(stream, Path.GetFileName(path));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Fills the silo's mode cache from the mode grain once the silo's feed is registered: a switch made before the
/// read is in it, one made after reaches this silo through the feed's hub (<see cref="ModeBroadcast"/>).
/// </summary>
internal sealed class ModeCacheFiller(ITwinFeedMembership membership, IGrainFactory grains, CityModeCache cache, ILogger<ModeCacheFiller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await membership.Registered.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                cache.Apply(await grains.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetModeInForce());
                return;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("The city's mode could not be read yet ({Problem}); trying again", exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
