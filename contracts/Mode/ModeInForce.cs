namespace CityOps.Twin.Contracts.Mode;

/// <summary>
/// The city's mode as grains work by it: the mode and, in an emergency of chosen districts, the grids it covers
/// (empty: city-wide). Every silo holds the latest in its mode cache, so no grain asks the mode grain.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Mode.ModeInForce")]
public sealed record ModeInForce(
    [property: Id(0)] CityMode Mode,
    [property: Id(1)] IReadOnlyList<string> CoveredGrids)
{
    /// <summary>The rules a grid works by: Emergency when the city's emergency covers it, otherwise Normal.</summary>
    public OperatingMode For(string gridCode, ISet<string>? covered = null) =>
        Mode.IsEmergency && (CoveredGrids.Count == 0 || (covered?.Contains(gridCode) ?? CoveredGrids.Contains(gridCode))) ? OperatingMode.Emergency : OperatingMode.Normal;
}
