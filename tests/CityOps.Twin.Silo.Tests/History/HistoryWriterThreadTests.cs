using System.Collections.Concurrent;
using System.Data.Common;
using CityOps.Twin.Silo.History;
using Microsoft.Extensions.Logging.Abstractions;

namespace CityOps.Twin.Silo.Tests.History;

/// <summary>
/// The history writer's loop runs on a thread of its own: the SQLite store's work is synchronous (a fold holds its thread
/// for up to a second), and on the thread pool it took a thread from the grains (bench <c>history ingest</c>: Orleans
/// found the pool stalled for 1.4 to 1.8 s at a time).
/// </summary>
public sealed class HistoryWriterThreadTests
{
    [Fact]
    public async Task The_writer_installs_and_writes_every_batch_on_a_thread_of_its_own_not_the_thread_pool()
    {
        var store = new ThreadRecordingStore();
        var writer = new HistoryWriter(store, new HistoryOptions { BatchEntries = 10 }, _ => null, NullLogger<HistoryWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        await writer.Ready.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 100; i++)
        {
            writer.Reading("WL-00001", DateTimeOffset.UnixEpoch.AddMinutes(i), i);
        }

        Assert.True(await writer.WhenWrittenAsync(TimeSpan.FromSeconds(30)), "the readings were written");
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(100, store.Readings);
        Assert.True(store.Threads.Count >= 11, $"an install and at least ten batches of ten were recorded, not {store.Threads.Count}");
        Assert.All(store.Threads, thread =>
        {
            Assert.False(thread.Pool, "the store ran on a thread-pool thread, which Orleans runs the grains on");
            Assert.Equal("History writer", thread.Name);
        });
    }

    /// <summary>Records the thread each install and write runs on; keeps only a count of the readings.</summary>
    private sealed class ThreadRecordingStore : HistoryStore
    {
        private int _readings;

        /// <summary>Whether each call ran on a thread-pool thread, and its thread's name (read then: a thread that ended cannot be asked).</summary>
        public ConcurrentQueue<(bool Pool, string? Name)> Threads { get; } = new();

        public int Readings => _readings;

        public override string Describe() => "a store that records its threads";

        public override Task InstallAsync(CancellationToken cancellationToken)
        {
            Threads.Enqueue((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
            return Task.CompletedTask;
        }

        public override Task WriteAsync(IReadOnlyList<QueuedReading> readings, IReadOnlyList<QueuedEvent> events, CancellationToken cancellationToken)
        {
            Threads.Enqueue((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
            Interlocked.Add(ref _readings, readings.Count);
            return Task.CompletedTask;
        }

        public override Task WriteSignsAsync(IReadOnlyList<SignsSample> samples, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override Task<long> EnforceRetentionAsync(DateTimeOffset now, HistoryOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override string Contains(string column, string parameter) => throw new NotSupportedException();

        protected override string EachOf(string parameter) => throw new NotSupportedException();

        protected override void BindList(DbCommand command, string parameter, IReadOnlyList<string> values) => throw new NotSupportedException();

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
