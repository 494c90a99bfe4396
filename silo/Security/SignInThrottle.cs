using System.Collections.Concurrent;

namespace CityOps.Twin.Silo.Security;

/// <summary>
/// Slows password guessing: after <see cref="MaxFailures"/> failed sign-ins for one user name within
/// <see cref="Window"/>, that name is locked for the rest of the window, the right password included; the
/// answer is 429 with Retry-After. A successful sign-in clears the count. Per silo, in memory.
/// </summary>
public sealed class SignInThrottle(TimeProvider time)
{
    public const int MaxFailures = 10;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long the name is still locked, or null if it may try.</summary>
    public TimeSpan? LockedFor(string name)
    {
        if (!_failures.TryGetValue(name.Trim(), out var failures))
        {
            return null;
        }
        lock (failures)
        {
            var now = time.GetUtcNow();
            while (failures.Count > 0 && now - failures.Peek() > Window)
            {
                failures.Dequeue();
            }
            return failures.Count >= MaxFailures ? failures.Peek() + Window - now : null;
        }
    }

    public void Failed(string name)
    {
        var failures = _failures.GetOrAdd(name.Trim(), _ => new Queue<DateTimeOffset>());
        lock (failures)
        {
            failures.Enqueue(time.GetUtcNow());
            while (failures.Count > MaxFailures)
            {
                failures.Dequeue();
            }
        }
    }

    public void Succeeded(string name) => _failures.TryRemove(name.Trim(), out _);
}
