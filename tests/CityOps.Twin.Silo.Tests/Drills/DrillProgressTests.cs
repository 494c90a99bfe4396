using System.Diagnostics;
using CityOps.Twin.Silo.Drills;
using CityOps.Twin.Silo.Hosting;
using Spectre.Console.Testing;

namespace CityOps.Twin.Silo.Tests.Drills;

/// <summary>
/// The headless drill's progress: a bar with drill time, events and speed on a terminal; nothing but its plain lines,
/// without one escape code, when its output is redirected (a CI log, a file, a test reading it).
/// </summary>
public sealed class DrillProgressTests
{
    private static readonly string LateSwitchScenario = Path.Combine(AppContext.BaseDirectory, "Drills", "rainstorm-late-switch.yaml");

    [Fact]
    public async Task On_an_interactive_terminal_the_bar_shows_drill_time_events_and_speed()
    {
        using var console = new TestConsole().Interactive().EmitAnsiSequences().Width(80);

        var result = await DrillProgressBar.ShowAsync(console, "Drill 'rainstorm'", async report =>
        {
            report(new DrillProgressPoint(TimeSpan.FromHours(2), TimeSpan.FromHours(6), 1_234, 240));
            await Task.Yield();
            return 7;
        });

        Assert.Same(console, TerminalProgress.Usable(console));
        Assert.Equal(7, result);
        var drawn = console.Output;
        // On one line of an 80-column terminal with the bar and its percentage.
        Assert.Contains(drawn.Split('\n'), line => line.Contains("drill time 2:00:00 of 6:00:00 · 1,234 events · 240x") && line.Contains("━") && line.Contains("33%"));
        Assert.Contains("\u001b[", drawn);
    }

    [Fact]
    public void A_console_that_is_not_interactive_or_has_no_ANSI_gets_no_bar()
    {
        using var plain = new TestConsole();
        using var ansiOnly = new TestConsole().EmitAnsiSequences();

        Assert.Null(TerminalProgress.Usable(plain));
        Assert.Null(TerminalProgress.Usable(ansiOnly));
    }

    [Fact]
    public async Task The_drill_command_with_its_output_redirected_prints_its_plain_lines_and_no_escape_codes()
    {
        var report = Path.Combine(Path.GetTempPath(), "cityops-drill-tests", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "CityOps.Twin.Silo"))
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // A terminal's settings, as in a developer's shell whose output is piped: the pipe decides, not TERM.
            Environment = { ["TERM"] = "xterm-256color", ["COLORTERM"] = "truecolor" },
        };
        foreach (var argument in new[] { "drill", LateSwitchScenario, "--speed", "0", "--report", report })
        {
            start.ArgumentList.Add(argument);
        }
        using var drill = Process.Start(start)!;
        var output = drill.StandardOutput.ReadToEndAsync();
        var error = drill.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await drill.WaitForExitAsync(timeout.Token);

        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(drill.ExitCode == 0, $"exit {drill.ExitCode}: {await error}");
        Assert.DoesNotContain('\u001b', await output);
        Assert.StartsWith("Drill '", lines[0]);
        Assert.Contains(lines, l => l.Contains("MISSED switch-to-III"));
        Assert.Contains(lines, l => l.Contains("met    dispatch-lift"));
        Assert.StartsWith("After-action report: ", lines[^1]);
        Assert.True(File.Exists(Path.Combine(report, "report.html")));
    }
}
