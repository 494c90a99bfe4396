using System.Data.Common;
using System.Text.Json;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains;
using CityOps.Twin.Grains.Alerts;
using CityOps.Twin.Silo.Storage;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Cap;

/// <summary>
/// The alert journal in the twin's database (table twin_cap_journal, Storage/Sql/*/…-cap-journal.sql), which every
/// silo over it reads: the same identifiers everywhere, all of them after a restart. A record goes into the
/// group commit's next transaction with the grain states (<see cref="GroupCommitGrainStorage.WriteThroughAsync"/>):
/// on SQLite, the one writer, nothing else ever waits for its lock, and an alarm costs no commit of its own. Reads use
/// a connection of their own (WAL on SQLite: readers never wait for the writer).
/// </summary>
public sealed class RelationalCapAlertStore(TwinDatabase database, IServiceProvider services) : ICapAlertStore
{
    private const string Insert = """
        INSERT INTO twin_cap_journal (identifier, kind, sent_ticks, sensor_id, episode, opens_episode, change)
        VALUES (@identifier, @kind, @sent, @sensor, @episode, @opens, @change)
        ON CONFLICT (identifier) DO NOTHING
        """;

    // Each row with the Alert that opened its episode: of the Alerts of that sensor and episode number, the latest
    // not after it (an earlier one of the same number was journaled by a silo that died before the sensor's state held it).
    private const string Select = """
        SELECT a.identifier, a.kind, a.change, f.identifier, f.change
        FROM twin_cap_journal a
        LEFT JOIN twin_cap_journal f ON f.identifier = (
            SELECT s.identifier FROM twin_cap_journal s
            WHERE a.opens_episode = 0 AND s.sensor_id = a.sensor_id AND s.episode = a.episode
              AND s.opens_episode = 1 AND s.sent_ticks <= a.sent_ticks
            ORDER BY s.sent_ticks DESC
            LIMIT 1)
        """;

    private const string AlarmKind = "alarm";

    private const string SwitchKind = "mode";

    private GroupCommitGrainStorage? _groupCommit;
    private bool _groupCommitLooked;

    public Task RecordAlarmAsync(JournaledAlarm alarm)
    {
        var change = alarm.Change;
        return WriteAsync(alarm.Identifier, AlarmKind, change.At, change.SensorId, alarm.Episode, alarm.OpensEpisode,
            JsonSerializer.Serialize(change, CapJournalJsonContext.Default.SensorAlarmChanged));
    }

    public Task RecordSwitchesAsync(IReadOnlyList<ModeChange> switches) => Task.WhenAll(switches.Select(change =>
        WriteAsync(AlertIdentifier.Switch(change), SwitchKind, change.At, null, null, false,
            JsonSerializer.Serialize(change, CapJournalJsonContext.Default.ModeChange))));

    public Task<IReadOnlyList<JournaledAlert>> LatestAsync(int count) =>
        QueryAsync($"{Select} ORDER BY a.seq DESC LIMIT @count", command => command.AddParameter("@count", (long)count));

    public async Task<JournaledAlert?> FindAsync(string identifier) =>
        (await QueryAsync($"{Select} WHERE a.identifier = @identifier", command => command.AddParameter("@identifier", identifier))).FirstOrDefault();

    private async Task WriteAsync(string identifier, string kind, DateTimeOffset sent, string? sensorId, int? episode, bool opensEpisode, string change)
    {
        void Bind(DbCommand command)
        {
            command.AddParameter("@identifier", identifier);
            command.AddParameter("@kind", kind);
            command.AddParameter("@sent", sent.UtcTicks);
            command.AddParameter("@sensor", sensorId);
            if (episode is { } number)
            {
                command.AddParameter("@episode", number);
            }
            else
            {
                command.AddParameter("@episode", null).DbType = System.Data.DbType.Int32;
            }
            command.AddParameter("@opens", opensEpisode ? 1 : 0);
            command.AddParameter("@change", change);
        }

        if (GroupCommit is { } storage)
        {
            await storage.WriteThroughAsync(new CommandWrite(Insert, Bind, $"CAP alert {identifier}")).ConfigureAwait(false);
            return;
        }
        // Orleans' own ADO.NET grain storage (the "adonet" engine) has no group commit to share: a transaction alone.
        await using var connection = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var transaction = await TwinDatabase.BeginWriteAsync(connection, CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Insert;
        Bind(command);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
    }

    private GroupCommitGrainStorage? GroupCommit
    {
        get
        {
            if (!Volatile.Read(ref _groupCommitLooked))
            {
                _groupCommit = services.GetKeyedService<IGrainStorage>(TwinGrains.Storage) as GroupCommitGrainStorage;
                Volatile.Write(ref _groupCommitLooked, true);
            }
            return _groupCommit;
        }
    }

    private async Task<IReadOnlyList<JournaledAlert>> QueryAsync(string sql, Action<DbCommand> bind)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var alerts = new List<JournaledAlert>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            alerts.Add(Read(reader));
        }
        return alerts;
    }

    private static JournaledAlert Read(DbDataReader reader)
    {
        var identifier = reader.GetString(0);
        if (reader.GetString(1) == SwitchKind)
        {
            return new JournaledAlert(identifier, null, Deserialize(reader.GetString(2), CapJournalJsonContext.Default.ModeChange), null);
        }
        var alarm = Deserialize(reader.GetString(2), CapJournalJsonContext.Default.SensorAlarmChanged);
        var opened = reader.IsDBNull(3)
            ? null
            : new EpisodeAlert(reader.GetString(3), Deserialize(reader.GetString(4), CapJournalJsonContext.Default.SensorAlarmChanged).At);
        return new JournaledAlert(identifier, alarm, null, opened);
    }

    private static T Deserialize<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(json, type) ?? throw new InvalidDataException($"A CAP journal row holds no {typeof(T).Name}.");
}
