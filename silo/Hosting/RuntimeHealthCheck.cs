using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Runtime;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>Healthy when a grain call that reads stored state answers: the runtime and its storage both work.</summary>
internal sealed class RuntimeHealthCheck(IClusterClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var mode = await client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"city mode {mode.Operating}");
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy("a grain call with stored state failed", exception);
        }
    }
}
