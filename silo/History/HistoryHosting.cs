using System.Collections.Concurrent;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Hosting;

namespace CityOps.Twin.Silo.History;

public static class HistoryHosting
{
    /// <summary>
    /// The city's history (section <c>History</c>): the store beside the twin's state (a SQLite file of its own, or the
    /// twin's PostgreSQL), its writer as the grains' <see cref="IHistoryAppender"/>, the vital-signs sampler and the
    /// retention job. Off with History:Enabled false, and on --storage memory (nothing would outlive the silo).
    /// Call before the silo is added: the writer then starts before the silo and stops after it, so every reading the
    /// silo accepted until its last moment is written.
    /// </summary>
    /// <exception cref="SiloSettingsException">A history setting is malformed; the message says which.</exception>
    public static IServiceCollection AddTwinHistory(this IServiceCollection services, IConfiguration configuration, SiloSettings settings)
    {
        var options = new HistoryOptions();
        configuration.GetSection("History").Bind(options);
        if (options.Problem() is { } problem)
        {
            throw new SiloSettingsException($"{problem}.");
        }
        services.AddSingleton(options);
        services.AddHealthChecks().AddCheck<HistoryHealthCheck>("history");
        // The view's plots read through it; with the history off it says so.
        services.AddSingleton<Web.History.ICityHistory, CityHistory>();
        if (!options.Enabled || settings.Storage == StorageKind.Memory)
        {
            return services;
        }

        services.AddSingleton<HistoryStore>(_ => settings.Storage == StorageKind.Postgres
            ? new PostgresHistoryStore(settings.ConnectionString!)
            : new SqliteHistoryStore(settings.DataFolder));
        services.AddSingleton(sp => new HistoryWriter(sp.GetRequiredService<HistoryStore>(), options,
            AreaPaths(sp.GetRequiredService<CityRegistry>()), sp.GetRequiredService<ILogger<HistoryWriter>>()));
        services.AddSingleton<IHistoryAppender>(sp => sp.GetRequiredService<HistoryWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<HistoryWriter>());
        services.AddSingleton<VitalSignsSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<VitalSignsSampler>());
        services.AddHostedService<HistoryMaintenance>();
        services.AddSingleton<CityPast>();
        services.AddSingleton<Web.Live.ICityPast>(sp => sp.GetRequiredService<CityPast>());
        return services;
    }

    /// <summary>A grid's place in the tree as events store it, "/city/district/street/grid/", so an area's events are those holding "/code/".</summary>
    private static Func<string, string?> AreaPaths(CityRegistry city)
    {
        var paths = new ConcurrentDictionary<string, string?>(StringComparer.Ordinal);
        return grid => paths.GetOrAdd(grid, code =>
        {
            var chain = new List<string>();
            for (var at = code; at is not null && city.Areas.TryGetValue(at, out var area) && chain.Count < 16; at = area.ParentCode)
            {
                chain.Add(area.Code);
            }
            if (chain.Count == 0)
            {
                return null;
            }
            chain.Reverse();
            return $"/{string.Join('/', chain)}/";
        });
    }
}
