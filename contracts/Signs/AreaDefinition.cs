using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Contracts.Signs;

/// <summary>Levels of the management tree, city at the top.</summary>
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
public sealed record AreaDefinition(
    string Code,
    string Name,
    AreaLevel Level,
    string? ParentCode,
    IReadOnlyList<IReadOnlyList<GeoPoint>> Outline,
    string? Team = null);
