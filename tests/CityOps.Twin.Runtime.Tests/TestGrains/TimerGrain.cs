using CityOps.Twin.Runtime.Timers;

namespace CityOps.Twin.Runtime.Tests.TestGrains;

public interface ITimerGrain : IGrainWithStringKey
{
    Task Start(TimeSpan period);

    Task Stop();

    Task<int> MaxConcurrentTicks();
}

/// <summary>Each tick waits on the gate "tick-{n}" so a test can hold a tick open across several periods.</summary>
public sealed class TimerGrain(Support.TestProbe probe) : Grain, ITimerGrain
{
    private IGrainTimer? _timer;
    private int _ticks;
    private int _running;
    private int _maxConcurrent;

    public Task Start(TimeSpan period)
    {
        _timer = RegisterGrainTimer(Tick, period, period);
        return Task.CompletedTask;
    }

    public Task Stop()
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public Task<int> MaxConcurrentTicks() => Task.FromResult(_maxConcurrent);

    private async Task Tick(CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref _running);
        _maxConcurrent = Math.Max(_maxConcurrent, running);
        var tick = ++_ticks;
        probe.Signal("tick-started");
        await probe.Gate($"tick-{tick}");
        Interlocked.Decrement(ref _running);
        probe.Signal("tick-ended");
    }
}
