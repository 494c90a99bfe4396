using System.Text.Json;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Grains.Sensors;

/// <summary>
/// The thresholds of every sensor kind by mode, and the case category an alarm episode of the kind opens.
/// Loaded from sensor-rules.json (shipped in this assembly) or a file of the same shape; a bad file is refused
/// with the kind, mode and field at fault.
/// </summary>
public sealed class SensorRulebook
{
    private readonly Dictionary<(SensorKind, OperatingMode), SensorThresholds> _thresholds;
    private readonly Dictionary<SensorKind, string> _caseCategories;

    private SensorRulebook(Dictionary<(SensorKind, OperatingMode), SensorThresholds> thresholds, Dictionary<SensorKind, string> caseCategories)
    {
        _thresholds = thresholds;
        _caseCategories = caseCategories;
    }

    public static SensorRulebook Default { get; } = LoadEmbedded();

    public SensorThresholds For(SensorKind kind, OperatingMode mode) => _thresholds[(kind, mode)];

    public string CaseCategoryOf(SensorKind kind) => _caseCategories[kind];

    public static SensorRulebook Load(Stream json, string source)
    {
        RulesFile? file;
        try
        {
            file = JsonSerializer.Deserialize<RulesFile>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{source}: not valid sensor rules JSON at {exception.Path}: {exception.Message}");
        }

        var thresholds = new Dictionary<(SensorKind, OperatingMode), SensorThresholds>();
        var categories = new Dictionary<SensorKind, string>();
        foreach (var kind in Enum.GetValues<SensorKind>())
        {
            if (file?.Kinds is null || !file.Kinds.TryGetValue(kind.ToString(), out var rules))
            {
                throw new InvalidDataException($"{source}: kinds.{kind} is missing; every sensor kind needs its rules.");
            }
            categories[kind] = rules.CaseCategory ?? throw new InvalidDataException($"{source}: kinds.{kind}.caseCategory is missing.");
            thresholds[(kind, OperatingMode.Normal)] = Check(source, kind, "normal", rules.Normal);
            thresholds[(kind, OperatingMode.Emergency)] = Check(source, kind, "emergency", rules.Emergency);
        }
        return new SensorRulebook(thresholds, categories);
    }

    private static SensorThresholds Check(string source, SensorKind kind, string mode, SensorThresholds? thresholds)
    {
        if (thresholds is null)
        {
            throw new InvalidDataException($"{source}: kinds.{kind}.{mode} is missing.");
        }
        return thresholds.Problem() is { } problem ? throw new InvalidDataException($"{source}: kinds.{kind}.{mode}: {problem}.") : thresholds;
    }

    private static SensorRulebook LoadEmbedded()
    {
        using var stream = typeof(SensorRulebook).Assembly.GetManifestResourceStream("CityOps.Twin.Grains.sensor-rules.json")
            ?? throw new InvalidOperationException("sensor-rules.json is missing from the grains assembly.");
        return Load(stream, "sensor-rules.json");
    }

    private sealed record RulesFile(Dictionary<string, KindRules>? Kinds);

    private sealed record KindRules(string? CaseCategory, SensorThresholds? Normal, SensorThresholds? Emergency);
}
