using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Silo.Cap;

/// <summary>
/// One recorded change as the journal answers it: an alarm change or a mode switch. For an alarm change that goes on
/// with or ends an episode, <see cref="EpisodeAlert"/> is the Alert that opened it (null if the journal lacks it).
/// </summary>
public sealed record JournaledAlert(string Identifier, SensorAlarmChanged? Alarm, ModeChange? Switch, EpisodeAlert? EpisodeAlert);

/// <summary>The identifier and sent time of the Alert that opened an alarm episode, which its Updates and Cancel reference.</summary>
public sealed record EpisodeAlert(string Identifier, DateTimeOffset Sent);
