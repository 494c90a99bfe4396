using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Grains;
using CityOps.Twin.Silo.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>
/// The database and what it refused: unhealthy while it cannot be reached (live state is still served from memory;
/// write-behind state and audit lines wait and are written when it returns; case steps are refused), and unhealthy
/// once a version conflict was seen: another writer changed a grain's state under this silo, which happens when two
/// silos run over one database by mistake. Nothing was overwritten; the silo's operator must stop one of them.
/// </summary>
internal sealed class StorageHealthCheck(IServiceProvider services, IAuditLog audit) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var storage = services.GetKeyedService<IGrainStorage>(TwinGrains.Storage) as GroupCommitGrainStorage;
        var data = new Dictionary<string, object>
        {
            ["storageConflicts"] = storage?.Conflicts ?? 0,
            ["writeBehindUnsaved"] = storage?.Unsaved ?? 0,
            ["auditLinesWaiting"] = audit.Pending,
        };
        if (storage is { Conflicts: > 0 })
        {
            return HealthCheckResult.Unhealthy(
                $"{storage.Conflicts} storage version conflict(s): another silo is writing this database (two silos over one database?). Nothing was overwritten. Latest: {storage.LastConflict}",
                data: data);
        }
        if (services.GetService<TwinDatabase>() is { } database)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await database.ProbeAsync(timeout.Token);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                return HealthCheckResult.Unhealthy(
                    $"the {database.Describe()} cannot be reached ({exception.Message}); live state is served from memory, changes wait or are refused until it returns",
                    data: data);
            }
        }
        return audit.Pending > 0
            ? HealthCheckResult.Degraded($"{audit.Pending} audit line(s) wait to be written", data: data)
            : HealthCheckResult.Healthy("database reachable", data);
    }
}
