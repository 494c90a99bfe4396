namespace CityOps.Twin.Grains.Signs;

/// <summary>How often an area that changed reports up the tree.</summary>
/// <param name="PublishInterval">
/// Each level waits at most this long before passing a change up, so a reading reaches the district's signs
/// within three intervals (grid, street, district). 100 ms keeps that well inside the 250 ms freshness target
/// while an unchanged area costs one cheap timer turn per interval.
/// </param>
public sealed record VitalSignsOptions(TimeSpan PublishInterval)
{
    public static VitalSignsOptions Default { get; } = new(TimeSpan.FromMilliseconds(100));
}
