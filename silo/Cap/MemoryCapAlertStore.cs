using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Grains.Alerts;

namespace CityOps.Twin.Silo.Cap;

/// <summary>
/// The alert journal in memory, for a silo with in-memory storage and for a drill's silo: gone when the process ends,
/// like their grains. It answers as the database's journal does (one alert per identifier, the newest first, the
/// episode's Alert), keeping the latest <c>keep</c> of them.
/// </summary>
public sealed class MemoryCapAlertStore(int keep) : ICapAlertStore
{
    private readonly Lock _lock = new();
    private readonly Queue<JournaledAlert> _alerts = new();
    private readonly Dictionary<string, JournaledAlert> _byIdentifier = new(StringComparer.Ordinal);
    // Each sensor's latest episode and its Alert: bounded by the sensors, whatever the alerts kept.
    private readonly Dictionary<string, (int Episode, EpisodeAlert Alert)> _episodeAlerts = new(StringComparer.Ordinal);

    public Task RecordAlarmAsync(JournaledAlarm alarm)
    {
        lock (_lock)
        {
            var change = alarm.Change;
            if (alarm.OpensEpisode)
            {
                if (Add(new JournaledAlert(alarm.Identifier, change, null, null)))
                {
                    _episodeAlerts[change.SensorId] = (alarm.Episode, new EpisodeAlert(alarm.Identifier, change.At));
                }
            }
            else
            {
                var opened = _episodeAlerts.TryGetValue(change.SensorId, out var held) && held.Episode == alarm.Episode ? held.Alert : null;
                Add(new JournaledAlert(alarm.Identifier, change, null, opened));
            }
        }
        return Task.CompletedTask;
    }

    public Task RecordSwitchesAsync(IReadOnlyList<ModeChange> switches)
    {
        lock (_lock)
        {
            foreach (var change in switches)
            {
                Add(new JournaledAlert(AlertIdentifier.Switch(change), null, change, null));
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<JournaledAlert>> LatestAsync(int count) => Task.FromResult(Latest(count));

    public Task<JournaledAlert?> FindAsync(string identifier)
    {
        lock (_lock)
        {
            return Task.FromResult(_byIdentifier.GetValueOrDefault(identifier));
        }
    }

    /// <summary>The latest <paramref name="count"/> alerts, newest first, at once (a drill's report is built without awaiting).</summary>
    public IReadOnlyList<JournaledAlert> Latest(int count)
    {
        lock (_lock)
        {
            return [.. _alerts.Reverse().Take(count)];
        }
    }

    /// <summary>Keeps the alert unless one of its identifier is kept already; false if so.</summary>
    private bool Add(JournaledAlert alert)
    {
        if (!_byIdentifier.TryAdd(alert.Identifier, alert))
        {
            return false;
        }
        _alerts.Enqueue(alert);
        while (_alerts.Count > keep && _alerts.TryDequeue(out var old))
        {
            _byIdentifier.Remove(old.Identifier);
        }
        return true;
    }
}
