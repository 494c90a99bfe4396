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

    /// <param name="Status">Orleans' membership status (Active, Joining, ShuttingDown, Dead, ...), or Unreachable for a silo
    /// membership still holds active that did not answer within 5 s (it has probably just died).</param>
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
        var silos = new List<SiloView>();
        foreach (var host in hosts.OrderBy(h => h.SiloAddress.Endpoint.ToString(), StringComparer.Ordinal))
        {
            var status = host.Status.ToString();
            Dictionary<string, int> twin = [];
            if (host.Status == SiloStatus.Active)
            {
                try
                {
                    // Asked silo by silo: one that died a moment ago (not yet declared dead) must not fail the whole answer.
                    twin = (await management.GetSimpleGrainStatistics([host.SiloAddress]).WaitAsync(TimeSpan.FromSeconds(5)))
                        .Where(s => s.GrainType.StartsWith("CityOps.", StringComparison.Ordinal))
                        .GroupBy(s => ClassName(s.GrainType), StringComparer.Ordinal)
                        .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount), StringComparer.Ordinal);
                }
                catch (Exception exception) when (exception is OrleansException or TimeoutException)
                {
                    status = "Unreachable";
                }
            }
            silos.Add(new SiloView(host.SiloAddress.ToParsableString(), host.SiloName, status, host.StartTime,
                host.IAmAliveTime == default ? null : host.IAmAliveTime, twin.Values.Sum(), twin));
        }
        return new ClusterView(cluster.Value.ClusterId, local.SiloAddress.ToParsableString(), silos);
    }

    // "CityOps.Twin.Grains.Sensors.SensorGrain,CityOps.Twin.Grains" -> "SensorGrain"
    private static string ClassName(string grainType)
    {
        var type = grainType.Split(',')[0];
        return type[(type.LastIndexOf('.') + 1)..];
    }
}
