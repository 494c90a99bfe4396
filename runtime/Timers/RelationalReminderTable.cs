using CityOps.Twin.Runtime.Persistence;

namespace CityOps.Twin.Runtime.Timers;

/// <summary>Reminders in the grain_reminder table of the silo's database (Schema.sql).</summary>
public sealed class RelationalReminderTable(RelationalDatabase database) : IReminderTable
{
    private const string UpsertSql =
        "INSERT INTO grain_reminder (grain_type, grain_key, reminder_name, start_at, period_ms, next_due_at) " +
        "VALUES (@grain_type, @grain_key, @reminder_name, @start_at, @period_ms, @next_due_at) " +
        "ON CONFLICT (grain_type, grain_key, reminder_name) DO UPDATE SET start_at = excluded.start_at, period_ms = excluded.period_ms, next_due_at = excluded.next_due_at";

    public async Task<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        await using var lease = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT grain_type, grain_key, reminder_name, start_at, period_ms, next_due_at FROM grain_reminder";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<ReminderEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var periodMs = reader.GetInt64(4);
            entries.Add(new ReminderEntry(
                new GrainId(reader.GetString(0), reader.GetString(1)),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                periodMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(periodMs),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }
        return entries;
    }

    public async Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        await using var lease = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = lease.Connection.CreateCommand();
        command.CommandText = UpsertSql;
        AddKey(command, entry.GrainId, entry.ReminderName);
        command.AddParameter("start_at", entry.StartAt.ToUnixTimeMilliseconds());
        command.AddParameter("period_ms", entry.IsOneShot ? -1L : (long)entry.Period.TotalMilliseconds);
        command.AddParameter("next_due_at", entry.NextDue.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(GrainId grainId, string reminderName, CancellationToken cancellationToken = default)
    {
        await using var lease = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = lease.Connection.CreateCommand();
        command.CommandText = "DELETE FROM grain_reminder WHERE grain_type = @grain_type AND grain_key = @grain_key AND reminder_name = @reminder_name";
        AddKey(command, grainId, reminderName);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddKey(System.Data.Common.DbCommand command, GrainId grainId, string reminderName)
    {
        command.AddParameter("grain_type", grainId.Type);
        command.AddParameter("grain_key", grainId.Key);
        command.AddParameter("reminder_name", reminderName);
    }
}
