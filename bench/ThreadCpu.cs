using System.Globalization;

namespace CityOps.Twin.Bench;

/// <summary>
/// The CPU time this process's threads have used, by thread name, from Linux's <c>/proc/self/task</c>: where a round's
/// cores went (the history writer's own thread, the group commit's, everything else). A .NET thread's name is its
/// Linux name, cut to 15 characters. A thread that ended since the last look takes its time with it, so a difference of
/// two looks is of the threads alive at both (the writers' threads live for the whole run).
/// </summary>
internal static class ThreadCpu
{
    /// <summary>Linux's clock ticks a second (<c>sysconf(_SC_CLK_TCK)</c>), 100 on every kernel this runs on.</summary>
    private const double TicksASecond = 100;

    public static IReadOnlyDictionary<string, TimeSpan> ByName()
    {
        var byName = new Dictionary<string, TimeSpan>();
        if (!OperatingSystem.IsLinux())
        {
            return byName;
        }
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                // After "pid (name) ": state is field 3; utime and stime are fields 14 and 15 (proc(5)).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                byName[name] = byName.GetValueOrDefault(name) + TimeSpan.FromSeconds(ticks / TicksASecond);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The thread ended while it was read.
            }
        }
        return byName;
    }

    /// <summary>The whole process's CPU time (its ended threads' too).</summary>
    public static TimeSpan Process() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>CPU time the named thread used between two looks.</summary>
    public static TimeSpan Between(IReadOnlyDictionary<string, TimeSpan> before, IReadOnlyDictionary<string, TimeSpan> after, string name) =>
        after.GetValueOrDefault(name) - before.GetValueOrDefault(name);
}
