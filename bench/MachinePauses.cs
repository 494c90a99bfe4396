using System.Diagnostics;

namespace CityOps.Twin.Bench;

/// <summary>
/// Notices when the whole process stood still: a thread of its own sleeps 50 ms at a time and keeps the longest it
/// overslept. This machine is a virtual one that the host sometimes freezes (seen in <c>history ingest</c>: every
/// Orleans timer, and a shell's <c>sleep</c> beside the benchmark, late by 25 to 54 s at once); a round that holds such
/// a freeze measured the host, not the twin. A garbage collection or a starved thread pool does not stop this thread
/// for seconds.
/// </summary>
internal sealed class MachinePauses : IDisposable
{
    private static readonly TimeSpan Nap = TimeSpan.FromMilliseconds(50);

    private readonly Thread _thread;
    private volatile bool _stopped;
    private long _longestTicks;

    public MachinePauses()
    {
        _thread = new Thread(Watch) { IsBackground = true, Name = "Machine pause watch" };
        _thread.Start();
    }

    /// <summary>The longest this thread overslept since the last <see cref="Reset"/>.</summary>
    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    public void Reset() => Interlocked.Exchange(ref _longestTicks, 0);

    private void Watch()
    {
        while (!_stopped)
        {
            var before = Stopwatch.GetTimestamp();
            Thread.Sleep(Nap);
            var overslept = Stopwatch.GetElapsedTime(before) - Nap;
            if (overslept.Ticks > Interlocked.Read(ref _longestTicks))
            {
                Interlocked.Exchange(ref _longestTicks, overslept.Ticks);
            }
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }
}
