using CityOps.Twin.Grains.Signs;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Twin.Grains.Tests.Signs;

public sealed class PublishThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 21, 8, 0, 0, TimeSpan.Zero));
    private readonly List<TimeSpan> _scheduled = [];
    private int _published;

    private PublishThrottle Throttle() => new(_time, Interval, due =>
    {
        _scheduled.Add(due);
        return new NoTimer();
    }, () =>
    {
        _published++;
        return Task.CompletedTask;
    });

    [Fact]
    public async Task A_change_after_a_quiet_spell_goes_up_after_the_short_gather_and_the_changes_with_it_go_along()
    {
        var throttle = Throttle();

        await throttle.ChangedAsync();
        await throttle.ChangedAsync();
        await throttle.ChangedAsync();

        Assert.Equal([PublishThrottle.Gather], _scheduled);
        Assert.Equal(0, _published);
    }

    [Fact]
    public async Task Changes_within_an_interval_of_the_last_publish_wait_for_the_rest_of_it()
    {
        var throttle = Throttle();
        await throttle.PublishAsync();

        _time.Advance(TimeSpan.FromMilliseconds(20));
        await throttle.ChangedAsync();
        Assert.Equal([TimeSpan.FromMilliseconds(30)], _scheduled);

        await throttle.PublishAsync();
        _time.Advance(TimeSpan.FromMilliseconds(60));
        await throttle.ChangedAsync();
        Assert.Equal([TimeSpan.FromMilliseconds(30), PublishThrottle.Gather], _scheduled);
        Assert.Equal(2, _published);
    }

    private sealed class NoTimer : IGrainTimer
    {
        public void Change(TimeSpan dueTime, TimeSpan period)
        {
        }

        public void Dispose()
        {
        }
    }
}
