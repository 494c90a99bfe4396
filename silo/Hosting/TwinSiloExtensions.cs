using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Drills;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Silo.Mode;
using CityOps.Twin.Grains;
using CityOps.Twin.Runtime.Hosting;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Grains.Signs;
using CityOps.Twin.Silo.Cap;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Drills;
using Microsoft.AspNetCore.DataProtection;

namespace CityOps.Twin.Silo.Hosting;

public static class TwinSiloExtensions
{
    /// <summary>The grain runtime with the twin's grains over the chosen storage.</summary>
    /// <exception cref="InvalidDataException">A catalogue, rules or city file is malformed; the message says where.</exception>
    public static IServiceCollection AddTwinSilo(this IServiceCollection services, SiloSettings settings, IConfiguration configuration)
    {
        services.AddSingleton(settings);
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.DataFolder, "keys")));
        services.AddTwinCatalogues(
            Load(settings.CaseCategoriesFile, CaseCategoryCatalogue.Load),
            Load(settings.SensorRulesFile, SensorRulebook.Load),
            configuration.GetSection("VitalSigns:Weights").Exists() ? configuration.GetSection("VitalSigns:Weights").Get<VitalSignsWeights>() : null);
        services.AddGrainRuntime(builder =>
        {
            builder.AddTwinGrains();
            _ = settings.Storage switch
            {
                StorageKind.Sqlite => builder.UseSqlite(settings.SqlitePath, synchronousFull: configuration.GetValue("Storage:SqliteFullSync", false)),
                StorageKind.Postgres => builder.UsePostgreSql(settings.ConnectionString!),
                _ => builder.UseInMemoryStorage(),
            };
        });
        // The city (the demo city unless --city names a manifest) is filed into the grains after the runtime has started.
        services.AddSingleton(new CityRegistry(settings.CityManifest is { } manifest ? CityImport.Load(manifest) : DemoCity.Build()));
        services.AddSingleton<CitySeeder>();
        services.AddHostedService(sp => sp.GetRequiredService<CitySeeder>());
        services.AddSingleton<ICityDirectory>(sp => new CityDirectory(
            sp.GetRequiredService<CityRegistry>(), sp.GetRequiredService<CityOps.Twin.Runtime.IClusterClient>(), () => sp.GetRequiredService<CitySeeder>().Filed));
        services.AddSingleton<ICaseIntake, CaseIntake>();
        services.Configure<SwitchoverOptions>(configuration.GetSection("Switchover"));
        services.AddSingleton<ModeSwitchboard>();
        services.AddSingleton<IModeSwitchboard>(sp => sp.GetRequiredService<ModeSwitchboard>());
        services.AddHostedService<SwitchProposer>();
        services.AddSingleton<DrillDesk>();
        services.AddSingleton<IDrillDesk>(sp => sp.GetRequiredService<DrillDesk>());
        services.Configure<CapOptions>(configuration.GetSection("Cap"));
        services.AddSingleton<CapAlertLog>();
        services.AddHostedService(sp => sp.GetRequiredService<CapAlertLog>());
        return services;
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
}
