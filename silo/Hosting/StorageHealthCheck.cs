using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Runtime;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>
/// The database and what it refused: unhealthy while it cannot be reached (live state is still served from memory;
/// write-behind state and audit lines wait and are written when it returns; case steps are refused), and unhealthy
/// once a version conflict was seen: another writer changed a grain's state under this silo, which happens when two
/// silos run over one database by mistake. Nothing was overwritten; the silo's operator must stop one of them.
/// </summary>
internal sealed class StorageHealthCheck(GrainRuntime runtime, IAuditLog audit) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["storageConflicts"] = runtime.Instruments.StorageConflicts,
            ["auditLinesWaiting"] = audit.Pending,
        };
        if (runtime.Instruments.StorageConflicts > 0)
        {
            return HealthCheckResult.Unhealthy(
                $"{runtime.Instruments.StorageConflicts} storage version conflict(s): another silo is writing this database (two silos over one database?). Nothing was overwritten. Latest: {runtime.Instruments.LastStorageConflict}",
                data: data);
        }
        foreach (var database in runtime.Databases)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(3));
                await using var lease = await database.OpenAsync(timeout.Token);
                await using var command = lease.Connection.CreateCommand();
                command.CommandText = "SELECT 1";
                await command.ExecuteScalarAsync(timeout.Token);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                return HealthCheckResult.Unhealthy(
                    $"the {database.ProviderName} database cannot be reached ({exception.Message}); live state is served from memory, changes wait or are refused until it returns",
                    data: data);
            }
        }
        return audit.Pending > 0
            ? HealthCheckResult.Degraded($"{audit.Pending} audit line(s) wait to be written", data: data)
            : HealthCheckResult.Healthy("database reachable", data);
    }
}
