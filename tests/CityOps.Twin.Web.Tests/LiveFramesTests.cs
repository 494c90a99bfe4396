using System.Collections.Concurrent;
using System.Diagnostics;
using CityOps.Twin.Web.Live;

namespace CityOps.Twin.Web.Tests;

public sealed class LiveFramesTests
{
    private sealed class Changes : ILiveChanges
    {
        public int Count;

        public event Action? Changed;

        public void Change()
        {
            Interlocked.Increment(ref Count);
            Changed?.Invoke();
        }
    }

    /// <summary>A view that records what each frame saw, and can be held mid-frame like a slow browser.</summary>
    private sealed class View(Changes changes)
    {
        public readonly ConcurrentQueue<(int Seen, long At)> Frames = new();
        public TaskCompletionSource Release = Released();
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _drawn = new();

        private static TaskCompletionSource Released()
        {
            var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            released.SetResult();
            return released;
        }

        public async Task DrawAsync()
        {
            Frames.Enqueue((Volatile.Read(ref changes.Count), Stopwatch.GetTimestamp()));
            Drawn(Frames.Count).TrySetResult();
            await Release.Task;
        }

        public TaskCompletionSource Drawn(int frame) => _drawn.GetOrAdd(frame, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        public Task Frame(int frame) => Drawn(frame).Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Changes_made_while_a_frame_is_drawing_become_one_frame_that_sees_them_all()
    {
        var changes = new Changes();
        var view = new View(changes);
        using var frames = new LiveFrames(changes, TimeProvider.System, view.DrawAsync);
        view.Release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        changes.Change();
        await view.Frame(1);
        for (var i = 0; i < 500; i++)
        {
            changes.Change();
        }
        view.Release.SetResult();
        await view.Frame(2);
        changes.Change();
        await view.Frame(3);

        // No stale frame in between: each frame saw the latest state, and the burst cost one frame.
        Assert.Equal([1, 501, 502], view.Frames.Select(f => f.Seen));
    }

    [Fact]
    public async Task Frames_are_at_least_an_interval_apart_however_fast_changes_come()
    {
        var changes = new Changes();
        var view = new View(changes);
        using var frames = new LiveFrames(changes, TimeProvider.System, view.DrawAsync);

        changes.Change();
        await view.Frame(1);
        changes.Change();
        await view.Frame(2);

        var times = view.Frames.Select(f => f.At).ToArray();
        Assert.True(Stopwatch.GetElapsedTime(times[0], times[1]) >= LiveFrames.Interval - TimeSpan.FromMilliseconds(15),
            $"frames {Stopwatch.GetElapsedTime(times[0], times[1]).TotalMilliseconds} ms apart");
    }

    [Fact]
    public async Task A_disposed_view_is_not_drawn_again()
    {
        var changes = new Changes();
        var view = new View(changes);
        var frames = new LiveFrames(changes, TimeProvider.System, view.DrawAsync);
        changes.Change();
        await view.Frame(1);
        frames.Dispose();

        changes.Change();
        // A second view on the same changes draws the change, so the first has had its chance to.
        var witness = new View(changes);
        using var other = new LiveFrames(changes, TimeProvider.System, witness.DrawAsync);
        changes.Change();
        await witness.Frame(1);
        Assert.Single(view.Frames);
    }

    [Fact]
    public async Task A_stuck_browser_holds_one_waiting_frame_drops_the_older_ones_with_a_count_and_never_makes_the_feed_wait()
    {
        var changes = new Changes();
        var stuck = new View(changes) { Release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var healthy = new View(changes);
        using var stuckFrames = new LiveFrames(changes, TimeProvider.System, stuck.DrawAsync);
        using var healthyFrames = new LiveFrames(changes, TimeProvider.System, healthy.DrawAsync);
        changes.Change();
        await stuck.Frame(1);

        // The stuck view never finishes its frame. The feed's thread goes through 100,000 changes without waiting on it:
        // each is one increment and a lock, so this loop ends; nothing queues behind the stuck frame but one waiting frame.
        for (var i = 0; i < 100_000; i++)
        {
            changes.Change();
        }

        Assert.Single(stuck.Frames);
        Assert.Equal(100_000 - 1, stuckFrames.Dropped);
        Assert.True(LiveFrames.DroppedTotal >= stuckFrames.Dropped);
        // The other view goes on drawing, and a frame after the last change sees every change.
        for (var frame = 2; healthy.Frames.Last().Seen < 100_001; frame++)
        {
            await healthy.Frame(frame);
        }
        Assert.Equal(100_001, healthy.Frames.Last().Seen);

        // Released, the stuck view draws once more: the latest state, not the frames it missed.
        stuck.Release.SetResult();
        await stuck.Frame(2);
        Assert.Equal(100_001, stuck.Frames.Last().Seen);
        Assert.Equal(2, stuck.Frames.Count);
    }
}
