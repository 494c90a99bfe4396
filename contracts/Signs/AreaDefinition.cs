using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Contracts.Signs;

/// <summary>Levels of the management tree, city at the top.</summary>
[GenerateSerializer, Alias("CityOps.Signs.AreaLevel")]
public enum AreaLevel
{
    City,
    District,
    Street,
    Grid,
}

/// <summary>
/// An area of the tree: its code, name, level, parent (none for the city), outline (polygon rings, WGS84,
/// outer ring first) and, for a grid, the team that disposes its cases.
/// </summary>
[GenerateSerializer, Immutable, Alias("CityOps.Signs.AreaDefinition")]
public sealed record AreaDefinition(
    [property: Id(0)] string Code,
    [property: Id(1)] string Name,
    [property: Id(2)] AreaLevel Level,
    [property: Id(3)] string? ParentCode,
    [property: Id(4)] IReadOnlyList<IReadOnlyList<GeoPoint>> Outline,
    [property: Id(5)] string? Team = null);
