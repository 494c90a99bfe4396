namespace CityOps.Twin.Silo.Security;

/// <summary>
/// Slows password guessing: after <see cref="MaxFailures"/> failed sign-ins for one user name within
/// <see cref="Window"/>, that name is locked for the rest of the window, the right password included; the
/// answer is 429 with Retry-After. A successful sign-in clears the count. Cluster-wide: the count of a name lives
/// in one grain (<see cref="ISignInLockGrain"/>) whichever silo the attempts reach.
/// </summary>
public sealed class SignInThrottle(IGrainFactory grains)
{
    public const int MaxFailures = 10;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>How long the name is still locked, or null if it may try.</summary>
    public Task<TimeSpan?> LockedForAsync(string name) => Lock(name).LockedFor();

    public Task FailedAsync(string name) => Lock(name).Failed();

    public Task SucceededAsync(string name) => Lock(name).Succeeded();

    // User names are matched without regard to case; the prefix keeps an empty name a valid key.
    private ISignInLockGrain Lock(string name) => grains.GetGrain<ISignInLockGrain>("signin:" + name.Trim().ToLowerInvariant());
}

/// <summary>One user name's recent failed sign-ins, in memory: a silo's loss clears the counts it held.</summary>
public interface ISignInLockGrain : IGrainWithStringKey
{
    Task<TimeSpan?> LockedFor();

    Task Failed();

    Task Succeeded();
}

public sealed class SignInLockGrain : Grain, ISignInLockGrain
{
    // Sessions and locks run on the wall clock, also where the twin's clock is a drill's or a test's.
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly Queue<DateTimeOffset> _failures = new();

    public Task<TimeSpan?> LockedFor()
    {
        var now = _time.GetUtcNow();
        while (_failures.Count > 0 && now - _failures.Peek() > SignInThrottle.Window)
        {
            _failures.Dequeue();
        }
        return Task.FromResult<TimeSpan?>(_failures.Count >= SignInThrottle.MaxFailures ? _failures.Peek() + SignInThrottle.Window - now : null);
    }

    public Task Failed()
    {
        _failures.Enqueue(_time.GetUtcNow());
        while (_failures.Count > SignInThrottle.MaxFailures)
        {
            _failures.Dequeue();
        }
        return Task.CompletedTask;
    }

    public Task Succeeded()
    {
        _failures.Clear();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
