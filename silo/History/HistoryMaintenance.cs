namespace CityOps.Twin.Silo.History;

/// <summary>
/// Enforces the retention (<see cref="HistoryOptions.ReadingDays"/>, <see cref="HistoryOptions.EventDays"/>) once the
/// store is ready and then every <see cref="HistoryOptions.MaintenanceInterval"/> of the silo's clock; on PostgreSQL it
/// also makes the coming days' partitions.
/// </summary>
public sealed class HistoryMaintenance(HistoryWriter writer, HistoryOptions options, TimeProvider time, ILogger<HistoryMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await writer.Ready.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var removed = await writer.Store.EnforceRetentionAsync(time.GetUtcNow(), options, stoppingToken);
                if (removed > 0)
                {
                    logger.LogInformation("History retention removed {Count} rows or partitions", removed);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("History retention failed ({Problem}); it runs again in {Interval}", exception.Message, options.MaintenanceInterval);
            }
            await Task.Delay(options.MaintenanceInterval, time, stoppingToken);
        }
    }
}
