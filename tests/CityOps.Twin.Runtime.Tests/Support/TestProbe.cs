using System.Collections.Concurrent;

namespace CityOps.Twin.Runtime.Tests.Support;

/// <summary>
/// What test grains report to their test: counts of named events, and waits on them with a timeout, so a
/// test waits on the condition it needs instead of sleeping.
/// </summary>
public sealed class TestProbe
{
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly ConcurrentDictionary<string, List<(int Target, TaskCompletionSource Reached)>> _waiters = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();

    public int Count(string name) => _counts.GetValueOrDefault(name);

    public void Signal(string name)
    {
        var count = _counts.AddOrUpdate(name, 1, (_, c) => c + 1);
        if (_waiters.TryGetValue(name, out var waiters))
        {
            lock (waiters)
            {
                foreach (var waiter in waiters.Where(w => w.Target <= count))
                {
                    waiter.Reached.TrySetResult();
                }
            }
        }
    }

    /// <summary>Completes once <paramref name="name"/> was signalled <paramref name="count"/> times; fails after the timeout.</summary>
    public Task WaitFor(string name, int count = 1, TimeSpan? timeout = null)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiters = _waiters.GetOrAdd(name, _ => []);
        lock (waiters)
        {
            waiters.Add((count, reached));
        }
        if (Count(name) >= count)
        {
            reached.TrySetResult();
        }
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        return reached.Task.WaitAsync(limit).ContinueWith(t =>
        {
            if (t.IsFaulted)
            {
                throw new TimeoutException($"'{name}' reached {Count(name)} of {count} within {limit}.");
            }
        }, TaskScheduler.Default);
    }

    /// <summary>A gate a grain awaits until the test opens it.</summary>
    public Task Gate(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Open(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
