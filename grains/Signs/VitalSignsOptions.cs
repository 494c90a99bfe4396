namespace CityOps.Twin.Grains.Signs;

/// <summary>How often an area that changed reports up the tree, and how its trend is kept.</summary>
/// <param name="PublishInterval">
/// Each level waits at most this long before passing a change up, so a reading reaches the district's signs
/// within three intervals (grid, street, district). 100 ms keeps that well inside the 250 ms freshness target
/// while an unchanged area costs one cheap timer turn per interval.
/// </param>
/// <param name="TrendInterval">One trend sample per area per interval (the last value in it wins).</param>
/// <param name="TrendRetention">How far back the trend reaches: the big screen plots "the last hours".</param>
public sealed record VitalSignsOptions(TimeSpan PublishInterval, TimeSpan TrendInterval, TimeSpan TrendRetention)
{
    /// <summary>
    /// Five-minute samples over twelve hours: 144 samples an area, a shift and a half of history, which at the
    /// demo city's 3,465 grids stays a few megabytes of state.
    /// </summary>
    public static VitalSignsOptions Default { get; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5), TimeSpan.FromHours(12));
}
