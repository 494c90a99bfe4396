using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Grains.Alerts;

/// <summary>An alarm change as the journal records it, with the episode it belongs to.</summary>
/// <param name="Episode">The sensor's alarm episode (from 1): an Update or Cancel refers to the Alert that opened it.</param>
/// <param name="ModeSwitchedAt">
/// Set when a mode switch, not a reading, moved the level (the latest value judged by new thresholds): the switch's
/// time, which tells this change apart from the one the same reading made when it arrived.
/// </param>
public sealed record JournaledAlarm(SensorAlarmChanged Change, int Episode, DateTimeOffset? ModeSwitchedAt = null)
{
    public string Identifier => AlertIdentifier.Alarm(Change, ModeSwitchedAt);

    public bool OpensEpisode => Change.From == AlarmLevel.None;
}
