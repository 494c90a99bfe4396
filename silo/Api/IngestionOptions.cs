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
}
