using CityOps.Twin.Runtime.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CityOps.Twin.Runtime.Hosting;

public static class GrainRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds a silo: <see cref="GrainRuntime"/> as <see cref="IClusterClient"/> and <see cref="IGrainFactory"/>,
    /// started and stopped with the host. The clock is the registered <see cref="TimeProvider"/>, the system
    /// clock if none is.
    /// </summary>
    public static IServiceCollection AddGrainRuntime(this IServiceCollection services, Action<GrainRuntimeBuilder> configure)
    {
        var builder = new GrainRuntimeBuilder();
        configure(builder);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var storage = builder.CreateStorage(time);
            return new GrainRuntime(
                sp,
                builder.Options,
                time,
                builder.Assemblies,
                new GrainStorageRegistry(storage.Storages.Concat(builder.ExtraStorages)),
                new GrainStateSerializer(builder.Resolvers),
                storage.Reminders,
                storage.Databases,
                builder.StreamProviders,
                sp.GetService<ILogger<GrainRuntime>>() ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<GrainRuntime>.Instance);
        });
        services.AddSingleton<IClusterClient>(sp => sp.GetRequiredService<GrainRuntime>());
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.AddHostedService<GrainRuntimeHostedService>();
        return services;
    }

    private sealed class GrainRuntimeHostedService(GrainRuntime runtime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => runtime.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => runtime.StopAsync(cancellationToken);
    }
}
