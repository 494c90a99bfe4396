using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityOps.Twin.Silo.City;

/// <summary>
/// Healthy once the city is filed into the grains; while it is being filed (with how far it has got), Degraded for
/// <c>/healthz</c> (the silo already serves) and Unhealthy for readiness (a load balancer should not send it users yet).
/// </summary>
internal sealed class CityHealthCheck(CitySeeder seeder, HealthStatus whileFiling) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (done, total) = seeder.Progress;
        return Task.FromResult(seeder.Filed.Status switch
        {
            TaskStatus.RanToCompletion => HealthCheckResult.Healthy("city filed"),
            TaskStatus.Faulted => HealthCheckResult.Unhealthy("filing the city failed", seeder.Filed.Exception),
            _ => new HealthCheckResult(whileFiling, $"filing the city: {done} of {total}"),
        });
    }
}
