using System.Text;
using Spectre.Console;

namespace CityOps.Twin.Bench;

/// <summary>
/// Standard output while a progress bar is drawn: each line a benchmark writes goes through the bar's console, which
/// prints it above the bar and redraws the bar below, instead of writing over it.
/// </summary>
internal sealed class TerminalLines(IAnsiConsole console) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _lock = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value == '\n')
            {
                console.WriteLine(_line.ToString().TrimEnd('\r'));
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "")
        {
            Write(c);
        }
    }
}
