using CityOps.Twin.Silo.Security;
using Orleans.Configuration;
using Orleans.Runtime;
using Microsoft.Extensions.Options;

namespace CityOps.Twin.Silo.Api;

/// <summary>The cluster as the operations staff see it (Admin): its silos, their state and the city's grains each holds.</summary>
public static class ClusterApi
{
    /// <param name="Answering">The silo that answered this request.</param>
    public sealed record ClusterView(string ClusterId, string Answering, IReadOnlyList<SiloView> Silos);

    /// <param name="Activations">Grains active on the silo, by the twin's grain class (SensorGrain, GridGrain, ...); Orleans' own left out.</param>
    public sealed record SiloView(string Address, string Name, string Status, DateTimeOffset StartedAt, DateTimeOffset? AliveAt, int Total, IReadOnlyDictionary<string, int> Activations);

    public static RouteGroupBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/admin").WithTags("Administration").RequireAuthorization(SecurityHosting.AdminPolicy);
        api.MapGet("/cluster", ReadAsync).WithSummary("The silos of the cluster (active, joining, dead), and the twin's grains on each.");
        return api;
    }

    private static async Task<ClusterView> ReadAsync(IGrainFactory grains, ILocalSiloDetails local, IOptions<ClusterOptions> cluster)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false);
        var statistics = await management.GetSimpleGrainStatistics();
        var silos = hosts
            .OrderBy(h => h.SiloAddress.Endpoint.ToString(), StringComparer.Ordinal)
            .Select(host =>
            {
                var twin = statistics
                    .Where(s => s.SiloAddress.Equals(host.SiloAddress) && s.GrainType.StartsWith("CityOps.", StringComparison.Ordinal))
                    .GroupBy(s => ClassName(s.GrainType), StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount), StringComparer.Ordinal);
                return new SiloView(host.SiloAddress.ToParsableString(), host.SiloName, host.Status.ToString(), host.StartTime,
                    host.IAmAliveTime == default ? null : host.IAmAliveTime, twin.Values.Sum(), twin);
            })
            .ToList();
        return new ClusterView(cluster.Value.ClusterId, local.SiloAddress.ToParsableString(), silos);
    }

    // "CityOps.Twin.Grains.Sensors.SensorGrain,CityOps.Twin.Grains" -> "SensorGrain"
    private static string ClassName(string grainType)
    {
        var type = grainType.Split(',')[0];
        return type[(type.LastIndexOf('.') + 1)..];
    }
}
