namespace CityOps.Twin.Silo.Api;

/// <summary>What the ingestion API accepts (configuration section "Ingestion").</summary>
public sealed class IngestionOptions
{
    /// <summary>A reading older than this is refused as stale: a day covers a gateway that was offline overnight.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A reading this far in the future is refused; the allowance covers device clocks a little ahead.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Items in one batch; a gateway with more sends several batches.</summary>
    public int MaxBatchItems { get; set; } = 10_000;

    /// <summary>
    /// The longest a batch of readings waits for its sensors' grains before it is answered 503 (Retry-After 1,
    /// nothing acknowledged). A grain call caught in a silo's death is normally failed when the silo is declared dead (about
    /// 2.4 s here), but Orleans does not fail a call that another silo had forwarded to the dead one (its address in the
    /// caller's cache was stale, e.g. after the grid rebalancer moved the grain): that call waits for Orleans' response
    /// timeout, 30 s. A gateway is better told at once to resend, and resending readings is safe: a sensor ignores a
    /// reading not newer than its latest (answered "a repeat, or late"). Device events (a detection would be counted
    /// twice) and cases keep Orleans' timeout.
    /// </summary>
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromSeconds(5);
}
