namespace CityOps.Twin.Grains.Signs;

/// <summary>How often an area that changed reports up the tree, and how its trend is kept.</summary>
/// <param name="PublishInterval">
/// A level passes a change up at once after a quiet spell, else waits at most this long since its last publish
/// (see PublishThrottle), so a reading reaches the district's signs within three intervals (grid, street,
/// district) even when every level is busy: 50 ms makes that 150 ms, inside the 250 ms freshness target with
/// room for the turns themselves (the bench `freshness` measures it under load), while a busy area publishes at
/// most 20 times a second and an unchanged one not at all.
/// </param>
/// <param name="TrendInterval">One trend sample per area per interval (the last value in it wins).</param>
/// <param name="TrendRetention">How far back the trend reaches: the big screen plots "the last hours".</param>
public sealed record VitalSignsOptions(TimeSpan PublishInterval, TimeSpan TrendInterval, TimeSpan TrendRetention)
{
    /// <summary>
    /// Five-minute samples over twelve hours: 144 samples an area, a shift and a half of history, which at the
    /// demo city's 3,465 grids stays a few megabytes of state.
    /// </summary>
    public static VitalSignsOptions Default { get; } = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(5), TimeSpan.FromHours(12));
}
