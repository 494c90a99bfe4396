using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace CityOps.Twin.Grains.Placement;

/// <summary>
/// Saves a grain's written-behind states now (the silo's storage, when it has write-behind): called as the grain
/// deactivates, so that its next activation, on whichever silo, reads what it last wrote.
/// </summary>
public interface IHotStateFlush
{
    Task FlushAsync(GrainId grain);
}

/// <summary>What a grain with written-behind state calls from <c>OnDeactivateAsync</c>.</summary>
public static class HotState
{
    public static async Task FlushAsync(IGrainBase grain)
    {
        var services = grain.GrainContext.ActivationServices;
        if (services.GetService<IHotStateFlush>() is not { } flush)
        {
            return;
        }
        try
        {
            await flush.FlushAsync(grain.GrainContext.GrainId);
        }
        catch (Exception exception)
        {
            // Still queued in the silo's buffer, which saves it within its window or at stop; a new activation elsewhere
            // meanwhile reads the older stored state (what a silo's death would lose, no more).
            services.GetService<ILoggerFactory>()?.CreateLogger(typeof(HotState))
                .LogWarning("Written-behind state of {Grain} not saved at deactivation: {Problem}", grain.GrainContext.GrainId, exception.Message);
        }
    }
}
