using System.Data.Common;
using System.Threading.Channels;

namespace CityOps.Twin.Runtime.Persistence;

/// <summary>
/// Group commit for write-through state: writes that arrive while a transaction is committing wait and go
/// together in the next one, so a hundred grains writing at once pay one commit (one fsync) instead of a hundred.
/// Each caller is answered only after the transaction that holds its write has committed: durable before
/// acknowledged, as before. Each write keeps its own version check; a conflict fails that write alone.
/// </summary>
internal sealed class GroupCommit : IAsyncDisposable
{
    // Writes in one transaction at most: bounds the time a commit holds the database.
    private const int MaxBatch = 512;

    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RelationalDatabase _database;
    private readonly Func<DbConnection, DbTransaction, PendingWrite, CancellationToken, Task<long>> _write;
    private readonly Task _writer;

    public GroupCommit(RelationalDatabase database, Func<DbConnection, DbTransaction, PendingWrite, CancellationToken, Task<long>> write)
    {
        _database = database;
        _write = write;
        _writer = Task.Run(WriteLoopAsync);
    }

    public Task<long> WriteAsync(GrainStateKey key, string? payload, long expectedVersion)
    {
        var pending = new PendingWrite(key, payload, expectedVersion);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommit), "The grain storage is closed.");
        }
        return pending.Completion.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            var results = new (long Version, Exception? Error)[batch.Count];
            try
            {
                await using var lease = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
                await using var transaction = await lease.Connection.BeginTransactionAsync().ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    try
                    {
                        results[i] = (await _write(lease.Connection, transaction, batch[i], CancellationToken.None).ConfigureAwait(false), null);
                    }
                    catch (InconsistentStateException conflict)
                    {
                        results[i] = (0, conflict);
                    }
                }
                await transaction.CommitAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Nothing of this transaction is durable: every write in it fails, none is acknowledged.
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(exception);
                }
                continue;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                if (results[i].Error is { } error)
                {
                    batch[i].Completion.TrySetException(error);
                }
                else
                {
                    batch[i].Completion.TrySetResult(results[i].Version);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}

/// <summary>One write waiting for its group's commit; a null payload clears the state.</summary>
internal sealed record PendingWrite(GrainStateKey Key, string? Payload, long ExpectedVersion)
{
    public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
