using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// Orleans' reminder table on SQLite, over the same table and queries (<c>Sql/sqlite/3-reminders.sql</c>) that
/// Orleans' ADO.NET reminder table runs on, with one difference: its changes go into the group commit's transactions
/// (<see cref="GroupCommitGrainStorage.WriteThroughAsync"/>), so they never wait for SQLite's one writer lock.
/// Microsoft.Data.Sqlite waits for that lock synchronously; Orleans' ADO.NET table, running inside the reminder
/// service's turn, blocked it (and a thread of a 2-core machine) for 1-9 s behind each write-behind transaction
/// under the ingest benchmark's load, and readings whose alarms opened cases timed out. A reminder registered here
/// is acknowledged after the transaction that holds it commits, as before. Reads use a connection of their own
/// (WAL: readers never wait for the writer).
/// </summary>
internal sealed class SqliteReminderTable(
    TwinDatabase database,
    IServiceProvider services,
    IOptions<ClusterOptions> cluster,
    TwinStorageProviderName providerName) : IReminderTable
{
    private static readonly string[] QueryKeys =
        ["UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "DeleteReminderRowKey", "DeleteReminderRowsKey"];

    private readonly string _serviceId = cluster.Value.ServiceId;
    private Dictionary<string, string>? _queries;
    private GroupCommitGrainStorage? _storage;

    private Dictionary<string, string> Queries => _queries ?? throw new InvalidOperationException("The SQLite reminder table was used before the silo started it.");

    private GroupCommitGrainStorage Storage => _storage ??= services.GetRequiredKeyedService<IGrainStorage>(providerName.Name) as GroupCommitGrainStorage
        ?? throw new InvalidOperationException($"The SQLite reminder table writes through the group-commit storage '{providerName.Name}', which this silo does not use.");

    public async Task Init()
    {
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT QueryKey, QueryText FROM OrleansQuery WHERE QueryKey IN ({string.Join(", ", QueryKeys.Select(k => $"'{k}'"))})";
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                queries[reader.GetString(0)] = reader.GetString(1);
            }
        }
        var missing = QueryKeys.Where(k => !queries.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"{database.Describe()} lacks the reminder queries {string.Join(", ", missing)} (Sql/sqlite/3-reminders.sql was not installed).");
        }
        _queries = queries;
    }

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        ReadAsync("ReadReminderRowsKey", command => command.AddParameter("GrainId", grainId.ToString()));

    /// <summary>The rows whose grain hash is in (<paramref name="begin"/>, <paramref name="end"/>] round the ring.</summary>
    public Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        // Hashes are stored as signed integers (as Orleans' ADO.NET table stores them); the cast turns the ring, so a
        // range wraps round in signed order exactly when it does not end after it begins there.
        var (low, high) = (unchecked((int)begin), unchecked((int)end));
        return ReadAsync(low < high ? "ReadRangeRows1Key" : "ReadRangeRows2Key", command =>
        {
            command.AddParameter("BeginHash", low);
            command.AddParameter("EndHash", high);
        });
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var rows = await ReadAsync("ReadReminderRowKey", command =>
        {
            command.AddParameter("GrainId", grainId.ToString());
            command.AddParameter("ReminderName", reminderName);
        }).ConfigureAwait(false);
        return rows.Reminders.FirstOrDefault();
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        var write = new CommandWrite(Queries["UpsertReminderRowKey"], command =>
        {
            AddServiceId(command);
            command.AddParameter("GrainId", entry.GrainId.ToString());
            command.AddParameter("ReminderName", entry.ReminderName);
            command.AddParameter("StartTime", DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc));
            command.AddParameter("Period", (long)entry.Period.TotalMilliseconds);
            command.AddParameter("GrainHash", unchecked((int)entry.GrainId.GetUniformHashCode()));
        }, $"reminder '{entry.ReminderName}' of {entry.GrainId}");
        await Storage.WriteThroughAsync(write).ConfigureAwait(false);
        return Convert.ToInt64(write.Result ?? throw new InvalidOperationException($"Registering {write.What} returned no version."), CultureInfo.InvariantCulture)
            .ToString(CultureInfo.InvariantCulture);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!int.TryParse(eTag, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }
        var write = new CommandWrite(Queries["DeleteReminderRowKey"], command =>
        {
            AddServiceId(command);
            command.AddParameter("GrainId", grainId.ToString());
            command.AddParameter("ReminderName", reminderName);
            command.AddParameter("Version", version);
        }, $"reminder '{reminderName}' of {grainId}");
        await Storage.WriteThroughAsync(write).ConfigureAwait(false);
        return write.Result is { } deleted && Convert.ToInt64(deleted, CultureInfo.InvariantCulture) != 0;
    }

    public Task TestOnlyClearTable() =>
        Storage.WriteThroughAsync(new CommandWrite(Queries["DeleteReminderRowsKey"], AddServiceId, "every reminder of the service"));

    private void AddServiceId(DbCommand command) => command.AddParameter("ServiceId", _serviceId);

    private async Task<ReminderTableData> ReadAsync(string queryKey, Action<DbCommand> bind)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = Queries[queryKey];
        AddServiceId(command);
        bind(command);
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(reader.GetOrdinal("GrainId"))),
                ReminderName = reader.GetString(reader.GetOrdinal("ReminderName")),
                StartAt = DateTime.SpecifyKind(reader.GetDateTime(reader.GetOrdinal("StartTime")), DateTimeKind.Utc),
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(reader.GetOrdinal("Period"))),
                ETag = reader.GetInt64(reader.GetOrdinal("Version")).ToString(CultureInfo.InvariantCulture),
            });
        }
        return new ReminderTableData(entries);
    }
}

/// <summary>The name of the twin's grain storage, for services that must find it after the silo is built.</summary>
internal sealed record TwinStorageProviderName(string Name);
