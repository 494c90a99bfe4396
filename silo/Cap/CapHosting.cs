using CityOps.Twin.Grains.Alerts;
using CityOps.Twin.Silo.Storage;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Cap;

public static class CapHosting
{
    /// <summary>
    /// CAP: the alert journal the grains write (in the twin's database when it has one, in memory otherwise) and the
    /// log that reads it for the API.
    /// </summary>
    public static IServiceCollection AddTwinCap(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<CapOptions>(configuration.GetSection("Cap"));
        services.AddSingleton<ICapAlertStore>(sp => sp.GetService<TwinDatabase>() is { } database
            ? new RelationalCapAlertStore(database, sp)
            : new MemoryCapAlertStore(sp.GetRequiredService<IOptions<CapOptions>>().Value.Keep));
        services.AddSingleton<IAlertJournal>(sp => sp.GetRequiredService<ICapAlertStore>());
        services.AddSingleton<CapAlertLog>();
        return services;
    }
}
