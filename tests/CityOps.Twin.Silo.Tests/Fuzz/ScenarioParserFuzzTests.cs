using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Drills;

namespace CityOps.Twin.Silo.Tests.Fuzz;

/// <summary>
/// The drill scenario parser against 10,000 damaged copies of the shipped scenario: characters dropped,
/// doubled or replaced by ones YAML gives meaning to, lines dropped or repeated, numbers and times swapped for
/// nonsense, the file cut short. Each copy is either a scenario the parser accepts or refused with a
/// <see cref="DrillScenarioException"/> that names the file; no other exception, ever.
/// </summary>
public sealed class ScenarioParserFuzzTests
{
    private static readonly Lazy<CityRegistry> Demo = new(() => new CityRegistry(DemoCity.Build()));
    private static readonly string Sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Drills", "Scenarios", "rainstorm-drill.yaml"));
    private static readonly string[] Nonsense = ["", "-1", "1e309", "NaN", "99:99", "P1D", "2026-13-45T25:61:00+08:00", "~", "null", "[]", "{}", "'", "\"", "&a", "*a", "!!binary x", "|", ">", "\t", "☂️", "0x1F", new string('9', 400)];
    private const string Significant = ":-[]{}#'\"\n\t&*!|>%@`, ?0123456789";

    [Fact]
    public void Ten_thousand_damaged_scenarios_are_each_accepted_or_refused_with_a_clear_error_and_nothing_else()
    {
        var random = new Random(20210725);
        var (accepted, refused) = (0, 0);
        var unexpected = new List<string>();
        for (var i = 0; i < 10_000; i++)
        {
            var damaged = Damage(Sample, random);
            try
            {
                DrillScenarioReader.Read(new StringReader(damaged), "fuzz.yaml", Demo.Value);
                accepted++;
            }
            catch (DrillScenarioException error)
            {
                refused++;
                if (!error.Message.StartsWith("fuzz.yaml", StringComparison.Ordinal) || error.Message.Length < 20)
                {
                    unexpected.Add($"#{i}: unclear refusal \"{error.Message}\"");
                }
            }
            catch (Exception error)
            {
                unexpected.Add($"#{i}: {error.GetType().Name}: {error.Message}\n--- scenario ---\n{damaged}");
            }
        }

        Assert.True(unexpected.Count == 0, $"{unexpected.Count} damaged scenarios got no clear refusal. Kinds: {string.Join("; ", unexpected.Select(u => u.Split('\n')[0].Split(": ", 2)[1]).Distinct().Take(10))}. The first:\n{string.Join("\n\n", unexpected.Take(2))}");
        Assert.True(refused > 5_000, $"only {refused} of 10,000 damaged scenarios were refused ({accepted} accepted): the damage is too mild to test anything");
    }

    [Fact]
    public void An_unclosed_flow_mapping_that_the_yaml_library_fails_on_without_a_yaml_error_is_refused_with_its_line()
    {
        // Found by the fuzz test above: YamlDotNet threw InvalidOperationException, which reached the caller as is.
        var damaged = Sample.Replace("- { after: 70m, value: 12 }", "- { after: 0x1F", StringComparison.Ordinal);
        Assert.NotEqual(Sample, damaged);

        var refused = Assert.Throws<DrillScenarioException>(() => DrillScenarioReader.Read(new StringReader(damaged), "storm.yaml", Demo.Value));

        Assert.StartsWith("storm.yaml line ", refused.Message);
        Assert.Contains("not valid YAML", refused.Message);
    }

    private static string Damage(string text, Random random)
    {
        var times = random.Next(1, 4);
        for (var t = 0; t < times; t++)
        {
            var lines = text.Split('\n').ToList();
            var at = random.Next(text.Length);
            var line = random.Next(lines.Count);
            text = random.Next(8) switch
            {
                0 => text.Remove(at, Math.Min(random.Next(1, 12), text.Length - at)),
                1 => text.Insert(at, Significant[random.Next(Significant.Length)].ToString()),
                2 => text[..at] + Significant[random.Next(Significant.Length)] + text[Math.Min(text.Length, at + 1)..],
                3 => string.Join('\n', lines.Where((_, i) => i != line)),
                4 => string.Join('\n', lines.Take(line + 1).Append(lines[line]).Concat(lines.Skip(line + 1))),
                5 => ReplaceValue(lines, line, Nonsense[random.Next(Nonsense.Length)]),
                6 => text[..at],
                _ => string.Join('\n', lines.Select((l, i) => i == line ? new string(' ', random.Next(0, 9)) + l.TrimStart() : l)),
            };
            if (text.Length == 0)
            {
                break;
            }
        }
        return text;
    }

    private static string ReplaceValue(List<string> lines, int line, string value)
    {
        var colon = lines[line].IndexOf(':', StringComparison.Ordinal);
        lines[line] = colon < 0 ? value : lines[line][..(colon + 1)] + " " + value;
        return string.Join('\n', lines);
    }
}
