using CityOps.Twin.Contracts.Mode;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>
/// Healthy when a grain call that reads stored state answers and Orleans' management grain sees this silo active with
/// activations (unhealthy when the cluster does not list it active, or it holds none);
/// carries the gauges the soak run watches stay flat (memory, activations, queues that could grow without bound).
/// </summary>
internal sealed class RuntimeHealthCheck(IClusterClient client, ILocalSiloDetails silo, Security.IngestionKeys keys) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = Gauges();
        try
        {
            var management = client.GetGrain<IManagementGrain>(0);
            var hosts = await management.GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            var statistics = await management.GetRuntimeStatistics([silo.SiloAddress]).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            data["silosActive"] = hosts.Count;
            data["activations"] = statistics.Sum(s => s.ActivationCount);
            data["recentlyUsedActivations"] = statistics.Sum(s => s.RecentlyUsedActivationCount);
            if (!hosts.ContainsKey(silo.SiloAddress))
            {
                return HealthCheckResult.Unhealthy($"this silo is not active in the cluster ({hosts.Count} other silo(s) active)", data: data);
            }
            if (statistics.Sum(s => s.ActivationCount) == 0)
            {
                return HealthCheckResult.Unhealthy("this silo holds no activations", data: data);
            }
            var mode = await client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"city mode {mode.Operating}; {hosts.Count} silo(s) active", data);
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy("a grain call with stored state failed", exception, data);
        }
    }

    private static Dictionary<string, object> Gauges(Security.IngestionKeys keys)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new()
        {
            ["gcHeapBytes"] = GC.GetTotalMemory(false),
            ["workingSetBytes"] = process.WorkingSet64,
            ["viewFramesDropped"] = CityOps.Twin.Web.Live.LiveFrames.DroppedTotal,
            ["ingestRateLimited"] = keys.Limited,
        };
    }

    private Dictionary<string, object> Gauges() => Gauges(keys);
}
