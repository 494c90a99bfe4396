using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using CityOps.Twin.Silo.Hosting;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// Group commit: writes that arrive while a transaction commits wait and go together in the next one, so a hundred
/// grains writing at once pay one commit (one fsync) instead of a hundred. Each caller is answered only after the
/// transaction holding its write has committed. Each write keeps its own version check; a mismatch fails that write
/// alone and writes nothing for it. On SQLite, which has one writer, everything the silo writes while it runs goes
/// through here (grain state, and the reminder table: <see cref="SqliteReminderTable"/>), so no writer ever waits for
/// SQLite's lock inside a grain's or a system target's turn. Writes that a caller awaits (an alarm, a case step, a
/// reminder) go before the write-behind flushes of hot state (<see cref="WriteBehindAsync"/>): a flush of a hundred
/// thousand sensors delays them by one transaction, not by the whole flush. Write-behind saves queue in a lane for
/// each window and go earliest deadline first: a sensor's latest value (1 s) is not held behind a flush of the
/// 96-reading histories (5 s), the largest rows, queued a moment before it.
/// </summary>
internal sealed class GroupCommitQueue : IAsyncDisposable
{
    // Writes in one transaction at most: bounds how long a commit holds SQLite's single writer lock.
    internal const int MaxBatch = 512;

    private readonly Channel<GroupWrite> _queue = Channel.CreateUnbounded<GroupWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<TimeSpan, Channel<GroupWrite>> _behind;
    private readonly ChannelReader<GroupWrite>[] _lanes;
    private readonly TwinDatabase _database;
    private readonly string _writeQuery;
    private readonly SplitStateWrite? _splitWrite;
    private readonly ILogger _logger;
    private readonly Task _writer;

    /// <param name="writeQuery">A state write as one command (TwinGroupWriteKey): PostgreSQL's batches send it a row.</param>
    /// <param name="splitWrite">SQLite's state write as an update or an insert, the cheaper way a row at a time.</param>
    /// <param name="windows">The write-behind windows: a lane each (<see cref="WriteBehindAsync"/>).</param>
    public GroupCommitQueue(TwinDatabase database, string writeQuery, ILogger logger, SplitStateWrite? splitWrite = null, IEnumerable<TimeSpan>? windows = null)
    {
        _behind = (windows ?? []).Distinct().ToDictionary(window => window, _ => Channel.CreateUnbounded<GroupWrite>(new UnboundedChannelOptions { SingleReader = true }));
        _lanes = _behind.Values.Select(lane => lane.Reader).ToArray();
        _database = database;
        _writeQuery = writeQuery;
        _splitWrite = splitWrite;
        _logger = logger;
        _writer = OwnThread.Start("Group commit", WriteLoop);
    }

    /// <summary>Transactions committed so far, and the writes they held: the ratio is the group size achieved.</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    public long Writes => Interlocked.Read(ref _writes);

    private long _transactions;
    private long _writes;

    /// <summary>Queues a write that its caller awaits; it goes in the next transaction, before any write-behind.</summary>
    public Task<bool> WriteAsync(GroupWrite write) => Enqueue(_queue, write);

    /// <summary>
    /// Queues a write-behind save of hot state, due within <paramref name="window"/> (one the queue was made with): it
    /// fills the transactions' room left by awaited writes, earliest deadline first.
    /// </summary>
    public Task<bool> WriteBehindAsync(GroupWrite write, TimeSpan window)
    {
        if (!_behind.TryGetValue(window, out var lane))
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The group commit has no write-behind lane of {window}; it has {string.Join(", ", _behind.Keys)}.");
        }
        write.Deadline = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        return Enqueue(lane, write);
    }

    /// <summary>The write-behind save due first, if any is queued.</summary>
    private bool TryReadBehind([NotNullWhen(true)] out GroupWrite? write)
    {
        ChannelReader<GroupWrite>? first = null;
        var due = long.MaxValue;
        foreach (var lane in _lanes)
        {
            if (lane.TryPeek(out var head) && head.Deadline < due)
            {
                (first, due) = (lane, head.Deadline);
            }
        }
        write = null;
        return first is not null && first.TryRead(out write);
    }

    private Task<bool> Enqueue(Channel<GroupWrite> channel, GroupWrite write)
    {
        if (!channel.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(GroupCommitQueue), $"The group commit of {_database.Describe()} is closed: the silo is stopping.");
        }
        return write.Committed.Task;
    }

    /// <summary>
    /// The one writer, on a thread of its own (<see cref="OwnThread"/>): on SQLite every step of a transaction completes
    /// on this thread (Microsoft.Data.Sqlite's work is synchronous, and a flush of the city's hot rows is a hundred
    /// transactions back to back); on PostgreSQL this thread waits while Npgsql's I/O completes on the pool.
    /// </summary>
    private void WriteLoop()
    {
        var batch = new List<GroupWrite>(MaxBatch);
        var applied = new bool[MaxBatch];
        while (OwnThread.Wait(WaitForWritesAsync()))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }
            while (batch.Count < MaxBatch && TryReadBehind(out var write))
            {
                batch.Add(write);
            }
            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                CommitAsync(batch, applied).GetAwaiter().GetResult();
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

            var number = Interlocked.Increment(ref _transactions);
            Interlocked.Add(ref _writes, batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Transaction = number;
                batch[i].Committed.TrySetResult(applied[i]);
            }
        }
    }

    /// <summary>Writes the group in one transaction; <paramref name="applied"/> says which writes took effect.</summary>
    private async Task CommitAsync(List<GroupWrite> batch, bool[] applied)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var transaction = await TwinDatabase.BeginWriteAsync(connection, CancellationToken.None).ConfigureAwait(false);
        if (connection.CanCreateBatch)
        {
            await WriteBatchedAsync(connection, transaction, batch, applied).ConfigureAwait(false);
        }
        else
        {
            // One command for the group's state writes, bound again for each: on SQLite its statements are prepared
            // once for the group instead of once a row, which was most of a write's cost.
            await using var stateWrite = new StateWriteCommand(connection, transaction, _writeQuery, _splitWrite);
            for (var i = 0; i < batch.Count; i++)
            {
                applied[i] = await WriteOneAsync(connection, transaction, stateWrite, batch[i]).ConfigureAwait(false);
            }
        }
        await transaction.CommitAsync().ConfigureAwait(false);
    }

    /// <summary>Waits until either queue has a write; false once both are closed and empty.</summary>
    private async ValueTask<bool> WaitForWritesAsync()
    {
        if (_queue.Reader.TryPeek(out _) || _lanes.Any(lane => lane.TryPeek(out _)))
        {
            return true;
        }
        var waits = new List<Task<bool>>(1 + _lanes.Length);
        foreach (var reader in (ChannelReader<GroupWrite>[])[_queue.Reader, .. _lanes])
        {
            if (!reader.Completion.IsCompleted)
            {
                waits.Add(reader.WaitToReadAsync().AsTask());
            }
        }
        while (waits.Count > 0)
        {
            var done = await Task.WhenAny(waits).ConfigureAwait(false);
            if (await done.ConfigureAwait(false))
            {
                return true;
            }
            waits.Remove(done);
        }
        return false;
    }

    /// <summary>
    /// PostgreSQL: each run of state writes goes to the server as one batch (one round trip for up to
    /// <see cref="MaxBatch"/> rows, where a command a row took one each and a flush of the city's hot rows spanned
    /// seconds), each statement's RETURNING saying whether its write took effect; other writes run in their place.
    /// </summary>
    private async Task WriteBatchedAsync(DbConnection connection, DbTransaction transaction, List<GroupWrite> batch, bool[] applied)
    {
        var i = 0;
        while (i < batch.Count)
        {
            if (batch[i] is not GrainStateWrite)
            {
                applied[i] = await WriteOneAsync(connection, transaction, null, batch[i]).ConfigureAwait(false);
                i++;
                continue;
            }
            var first = i;
            await using var states = connection.CreateBatch();
            states.Transaction = transaction;
            for (; i < batch.Count && batch[i] is GrainStateWrite write; i++)
            {
                var command = states.CreateBatchCommand();
                command.CommandText = _writeQuery;
                GrainStateParameters.AddKey(command, write.Row);
                GrainStateParameters.Add(command, "GrainStateVersion", write.ExpectedVersion);
                GrainStateParameters.Add(command, "NewGrainStateVersion", write.NewVersion);
                GrainStateParameters.Add(command, "PayloadBinary", write.Payload);
                states.BatchCommands.Add(command);
            }
            await using var reader = await states.ExecuteReaderAsync().ConfigureAwait(false);
            var index = first;
            do
            {
                var took = false;
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    took |= !reader.IsDBNull(0);
                }
                applied[index++] = took;
            }
            while (index < i && await reader.NextResultAsync().ConfigureAwait(false));
            if (index != i)
            {
                throw new InvalidOperationException($"A batch of {i - first} state writes answered {index - first} results.");
            }
        }
    }

    private static Task<bool> WriteOneAsync(DbConnection connection, DbTransaction transaction, StateWriteCommand? stateWrite, GroupWrite write) => write switch
    {
        GrainStateWrite state => stateWrite!.RunAsync(state),
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

    /// <summary>
    /// The state write as commands of a transaction, each made once and given each write's values: the one query, or,
    /// with a <see cref="SplitStateWrite"/>, its update for a writer holding a version and its insert for one that is not.
    /// </summary>
    private sealed class StateWriteCommand(DbConnection connection, DbTransaction transaction, string query, SplitStateWrite? split) : IAsyncDisposable
    {
        private Bound? _one;
        private Bound? _update;
        private Bound? _insert;

        public async Task<bool> RunAsync(GrainStateWrite write)
        {
            if (split is null)
            {
                var result = await (_one ??= new Bound(connection, transaction, query, write, expected: true)).Bind(write).ExecuteScalarAsync().ConfigureAwait(false);
                return result is not null and not DBNull;
            }
            var command = write.ExpectedVersion is null
                ? _insert ??= new Bound(connection, transaction, split.Insert, write, expected: false)
                : _update ??= new Bound(connection, transaction, split.Update, write, expected: true);
            return await command.Bind(write).ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var bound in (Bound?[])[_one, _update, _insert])
            {
                if (bound is not null)
                {
                    await bound.Command.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        /// <summary>One command and its parameters, in the order <see cref="Bind"/> fills them.</summary>
        private sealed class Bound
        {
            private readonly DbParameter[] _parameters;
            private readonly bool _expected;

            public Bound(DbConnection connection, DbTransaction transaction, string text, GrainStateWrite first, bool expected)
            {
                Command = connection.CreateCommand();
                Command.Transaction = transaction;
                Command.CommandText = text;
                GrainStateParameters.AddKey(Command, first.Row);
                GrainStateParameters.Add(Command, "NewGrainStateVersion", first.NewVersion);
                GrainStateParameters.Add(Command, "PayloadBinary", first.Payload);
                if (expected)
                {
                    GrainStateParameters.Add(Command, "GrainStateVersion", first.ExpectedVersion);
                }
                // Not prepared explicitly: Microsoft.Data.Sqlite keeps a command's statements prepared between runs,
                // and Npgsql would fix the parameter types of the first write (a NULL version has none).
                _parameters = Command.Parameters.Cast<DbParameter>().ToArray();
                _expected = expected;
            }

            public DbCommand Command { get; }

            public DbCommand Bind(GrainStateWrite write)
            {
                GrainStateParameters.SetKey(_parameters, write.Row);
                _parameters[GrainStateParameters.KeyCount].Value = write.NewVersion;
                _parameters[GrainStateParameters.KeyCount + 1].Value = (object?)write.Payload ?? DBNull.Value;
                if (_expected)
                {
                    _parameters[GrainStateParameters.KeyCount + 2].Value = (object?)write.ExpectedVersion ?? DBNull.Value;
                }
                return Command;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        foreach (var lane in _behind.Values)
        {
            lane.Writer.TryComplete();
        }
        await _writer.ConfigureAwait(false);
    }
}

/// <summary>SQLite's state write in two single statements (TwinGroupUpdateKey and TwinGroupInsertKey): see the script.</summary>
internal sealed record SplitStateWrite(string Update, string Insert);
