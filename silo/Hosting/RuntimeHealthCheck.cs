using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Runtime;
using CityOps.Twin.Silo;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>Healthy when a grain call that reads stored state answers: the runtime and its storage both work.</summary>
internal sealed class RuntimeHealthCheck(IClusterClient client, GrainRuntime runtime, Security.IngestionKeys keys) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var mode = await client.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"city mode {mode.Operating}", Gauges());
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy("a grain call with stored state failed", exception, Gauges());
        }
    }

    // What the soak run watches stay flat: memory, and every queue that could grow without bound.
    private Dictionary<string, object> Gauges()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new()
        {
            ["activations"] = runtime.Instruments.Activations,
            ["mailboxDepth"] = runtime.Instruments.MailboxDepth,
            ["streamQueueDepth"] = runtime.Instruments.StreamQueueDepth,
            ["gcHeapBytes"] = GC.GetTotalMemory(false),
            ["workingSetBytes"] = process.WorkingSet64,
            ["viewFramesDropped"] = CityOps.Twin.Web.Live.LiveFrames.DroppedTotal,
            ["ingestRateLimited"] = keys.Limited,
        };
    }
}
