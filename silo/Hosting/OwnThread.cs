namespace CityOps.Twin.Silo.Hosting;

/// <summary>
/// A loop that blocks, on a thread of its own instead of the thread pool: the SQLite writers (the group commit of grain
/// state, the history writer) whose work is synchronous. Orleans runs the grains on the pool, and on two cores it starts
/// with two threads: with both held by SQLite's work, the grains had none, and Orleans found the pool stalled for 1.4
/// to 1.8 s at a time until it added threads (bench <c>history ingest</c>).
/// </summary>
internal static class OwnThread
{
    /// <summary>Starts <paramref name="loop"/> on a new background thread; the task completes when it returns, or faults with what it threw.</summary>
    public static Task Start(string name, Action loop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                loop();
                done.TrySetResult();
            }
            catch (Exception exception)
            {
                done.TrySetException(exception);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Blocks until the wait completes (a queue's WaitToReadAsync), without a task when it already has.</summary>
    public static bool Wait(ValueTask<bool> wait) => wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
}
