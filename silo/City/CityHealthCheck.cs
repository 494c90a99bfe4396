using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityOps.Twin.Silo.City;

/// <summary>Degraded while the city is being filed into the grains (with how far it has got), healthy once it is.</summary>
internal sealed class CityHealthCheck(CitySeeder seeder) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (done, total) = seeder.Progress;
        return Task.FromResult(seeder.Filed.Status switch
        {
            TaskStatus.RanToCompletion => HealthCheckResult.Healthy("city filed"),
            TaskStatus.Faulted => HealthCheckResult.Unhealthy("filing the city failed", seeder.Filed.Exception),
            _ => HealthCheckResult.Degraded($"filing the city: {done} of {total}"),
        });
    }
}
