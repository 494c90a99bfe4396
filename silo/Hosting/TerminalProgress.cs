using Spectre.Console;

namespace CityOps.Twin.Silo.Hosting;

/// <summary>
/// A live progress bar (Spectre.Console) for the command-line tools, the headless drill and the benchmarks, shown
/// only on a terminal that can draw one. Output redirected to a file, a pipe or a CI log gets no bar and no escape
/// codes: the same plain lines as without it.
/// </summary>
public static class TerminalProgress
{
    /// <summary>This process's standard output when it is a terminal that can draw a live bar; null otherwise.</summary>
    public static IAnsiConsole? StandardOutput() => Console.IsOutputRedirected ? null : Usable(AnsiConsole.Console);

    /// <summary>
    /// The console if it is interactive and understands ANSI escape codes (Spectre finds neither on a known CI's
    /// runner nor with TERM=dumb); null otherwise.
    /// </summary>
    public static IAnsiConsole? Usable(IAnsiConsole console) => console.Profile.Capabilities is { Interactive: true, Ansi: true } ? console : null;

    /// <summary>
    /// Runs <paramref name="work"/> under one bar, described by <paramref name="title"/> until the work first reports;
    /// the work reports how far it got (0 to 1) and what to show beside the bar instead, as often as it likes (the bar
    /// is redrawn a few times a second). Kept within 80 columns when the description is: a 20-column bar, the
    /// percentage and, if asked, the time taken.
    /// </summary>
    public static Task<T> RunAsync<T>(IAnsiConsole console, string title, Func<Action<double, string>, Task<T>> work, bool showElapsed = true) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns([new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), .. (showElapsed ? new ProgressColumn[] { new ElapsedTimeColumn() } : [])])
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 1);
                return await work((done, status) =>
                {
                    task.Value = Math.Clamp(done, 0, 1);
                    task.Description = Markup.Escape(status);
                });
            });
}
