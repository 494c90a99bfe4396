using System.Data.Common;
using System.Threading.Channels;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// Group commit: writes that arrive while a transaction commits wait and go together in the next one, so a hundred
/// grains writing at once pay one commit (one fsync) instead of a hundred. Each caller is answered only after the
/// transaction holding its write has committed. Each write keeps its own version check; a mismatch fails that write
/// alone and writes nothing for it. On SQLite, which has one writer, everything the silo writes while it runs goes
/// through here (grain state, and the reminder table: <see cref="SqliteReminderTable"/>), so no writer ever waits for
/// SQLite's lock inside a grain's or a system target's turn.
/// </summary>
internal sealed class GroupCommitQueue : IAsyncDisposable
{
    // Writes in one transaction at most: bounds how long a commit holds SQLite's single writer lock.
    internal const int MaxBatch = 512;

    private readonly Channel<GroupWrite> _queue = Channel.CreateUnbounded<GroupWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TwinDatabase _database;
    private readonly string _writeQuery;
    private readonly ILogger _logger;
    private readonly Task _writer;

    public GroupCommitQueue(TwinDatabase database, string writeQuery, ILogger logger)
    {
        _database = database;
        _writeQuery = writeQuery;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Transactions committed so far, and the writes they held: the ratio is the group size achieved.</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    public long Writes => Interlocked.Read(ref _writes);

    private long _transactions;
    private long _writes;

    public Task<bool> WriteAsync(GroupWrite write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(GroupCommitQueue), $"The group commit of {_database.Describe()} is closed: the silo is stopping.");
        }
        return write.Committed.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<GroupWrite>(MaxBatch);
        var applied = new bool[MaxBatch];
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            try
            {
                await using var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
                await using var transaction = await TwinDatabase.BeginWriteAsync(connection, CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    applied[i] = await WriteOneAsync(connection, transaction, batch[i]).ConfigureAwait(false);
                }
                await transaction.CommitAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Nothing of this transaction is durable: every write in it fails, none is acknowledged.
                _logger.LogError(exception, "A group of {Count} state writes to {Database} failed; none was saved", batch.Count, _database.Describe());
                foreach (var write in batch)
                {
                    write.Committed.TrySetException(exception);
                }
                continue;
            }

            Interlocked.Increment(ref _transactions);
            Interlocked.Add(ref _writes, batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Committed.TrySetResult(applied[i]);
            }
        }
    }

    private Task<bool> WriteOneAsync(DbConnection connection, DbTransaction transaction, GroupWrite write) => write switch
    {
        GrainStateWrite state => WriteStateAsync(connection, transaction, state),
        CommandWrite command => RunCommandAsync(connection, transaction, command),
        _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, "Not a write this queue knows."),
    };

    internal static async Task<bool> RunCommandAsync(DbConnection connection, DbTransaction transaction, CommandWrite write)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = write.Sql;
        write.Bind(command);
        object? last = null;
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            do
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    last = reader.IsDBNull(0) ? null : reader.GetValue(0);
                }
            }
            while (await reader.NextResultAsync().ConfigureAwait(false));
        }
        write.Result = last;
        return last is not null;
    }

    private async Task<bool> WriteStateAsync(DbConnection connection, DbTransaction transaction, GrainStateWrite write)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _writeQuery;
        GrainStateParameters.AddKey(command, write.Row);
        GrainStateParameters.Add(command, "GrainStateVersion", write.ExpectedVersion);
        GrainStateParameters.Add(command, "NewGrainStateVersion", write.NewVersion);
        GrainStateParameters.Add(command, "PayloadBinary", write.Payload);
        var result = await command.ExecuteScalarAsync().ConfigureAwait(false);
        return result is not null and not DBNull;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
