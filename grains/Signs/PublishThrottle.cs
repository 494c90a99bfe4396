
namespace CityOps.Twin.Grains.Signs;

/// <summary>
/// When an area passes its changes up the tree: a change after a quiet spell goes up <see cref="Gather"/> later
/// (so the case and the device state that one alarm sends a grid go up together); changes that come within an
/// interval of the last publish are gathered and go up once, when the interval is up. So a lone alarm reaches
/// the district in a few milliseconds a level, and a busy area still publishes at most once an interval.
/// </summary>
internal sealed class PublishThrottle(TimeProvider time, TimeSpan interval, Func<TimeSpan, IGrainTimer> schedule, Func<Task> publish)
{
    /// <summary>How long a first change waits for the changes that come with it.</summary>
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(5);

    private IGrainTimer? _pending;
    private DateTimeOffset _last = DateTimeOffset.MinValue;

    public Task ChangedAsync()
    {
        if (_pending is not null)
        {
            return Task.CompletedTask;
        }
        var since = time.GetUtcNow() - _last;
        _pending = schedule(since >= interval - Gather ? Gather : interval - since);
        return Task.CompletedTask;
    }

    public Task PublishAsync()
    {
        _pending?.Dispose();
        _pending = null;
        _last = time.GetUtcNow();
        return publish();
    }
}
