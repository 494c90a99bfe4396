using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace CityOps.Twin.Runtime.Persistence;

/// <summary>
/// The embedded default: one SQLite file in WAL mode. SQLite lets one writer at a time in, so the runtime
/// keeps one connection and hands it out in turn rather than letting connections queue on the file lock.
/// </summary>
public sealed class SqliteDatabase : RelationalDatabase
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _opened;

    static SqliteDatabase()
    {
        SQLitePCL.Batteries_V2.Init();
    }

    /// <param name="path">The database file; its folder is created if missing.</param>
    /// <param name="synchronousFull">
    /// NORMAL (the default) in WAL mode: a committed write survives the process being killed (SIGKILL); the last
    /// commits before a power cut can be lost. FULL syncs the WAL at every commit so a write survives that too,
    /// at the price of an fsync per commit, which on this project's shared machines was seen to stall a silo's
    /// shutdown for minutes under heavy parallel disk load.
    /// </param>
    public SqliteDatabase(string path, bool synchronousFull = false)
    {
        Path = System.IO.Path.GetFullPath(path);
        SynchronousFull = synchronousFull;
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
    }

    public string Path { get; }

    /// <summary>Who holds the connection now, if anyone: for the log line of a silo that cannot stop in time.</summary>
    public string Holder => _gate.CurrentCount == 0 ? _holder : "nobody";

    private string _holder = "nobody";

    public bool SynchronousFull { get; }

    public override string ProviderName => "sqlite";

    // Callers of OpenAsync waiting for the connection: background work stands back while there are any.
    private int _waiting;

    public override async ValueTask<ConnectionLease> OpenAsync(CancellationToken cancellationToken, [System.Runtime.CompilerServices.CallerMemberName] string holder = "")
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        return await LeaseAsync(holder, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask<ConnectionLease> OpenForBackgroundAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref _waiting) == 0)
            {
                return await LeaseAsync("write-behind", cancellationToken).ConfigureAwait(false);
            }
            // Someone who is waited on wants the connection: hand it over and queue again behind them.
            _gate.Release();
            await Task.Yield();
        }
    }

    private async ValueTask<ConnectionLease> LeaseAsync(string holder, CancellationToken cancellationToken)
    {
        _holder = $"{holder} since {DateTime.UtcNow:HH:mm:ss.fff}";
        try
        {
            if (!_opened)
            {
                await _connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var pragma = _connection.CreateCommand();
                pragma.CommandText = $"PRAGMA journal_mode=WAL; PRAGMA synchronous={(SynchronousFull ? "FULL" : "NORMAL")}; PRAGMA busy_timeout=5000;";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _opened = true;
            }
        }
        catch
        {
            _gate.Release();
            throw;
        }
        return new ConnectionLease(_connection, _ =>
        {
            _gate.Release();
            return ValueTask.CompletedTask;
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        _holder = $"disposed at {DateTime.UtcNow:HH:mm:ss.fff}";
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
