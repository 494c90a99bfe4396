using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityOps.Twin.Silo.History;

/// <summary>The history's writer: degraded while a batch is refused (it is retried) or once entries were dropped from a full buffer.</summary>
internal sealed class HistoryHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<HistoryWriter>() is not { } writer)
        {
            return Task.FromResult(HealthCheckResult.Healthy("history off"));
        }
        var data = new Dictionary<string, object>
        {
            ["historyWritten"] = writer.Written,
            ["historyBuffered"] = writer.Buffered,
            ["historyDropped"] = writer.Dropped,
            ["historyLagP99Ms"] = writer.Lag.Percentile(0.99).TotalMilliseconds,
        };
        return Task.FromResult(
            writer.Failing is { } failing ? HealthCheckResult.Degraded($"history: {failing}; {writer.Buffered} entries wait", data: data)
            : writer.Dropped > 0 ? HealthCheckResult.Degraded($"history: {writer.Dropped} entries were dropped from a full buffer", data: data)
            : HealthCheckResult.Healthy($"history in {writer.Store.Describe()}", data));
    }
}
