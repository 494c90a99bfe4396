using System.Text.Json;
using System.Text.Json.Serialization;
using CityOps.Twin.Contracts.Cases;

namespace CityOps.Twin.Grains.Cases;

/// <summary>
/// The case categories and their deadlines, from case-categories.json (shipped in this assembly) or a file
/// of the same shape. A bad file is refused with the entry and field at fault.
/// </summary>
public sealed class CaseCategoryCatalogue
{
    // Declared before Default: static fields initialise in order, and Default's loading reads these options.
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly Dictionary<string, CaseCategory> _byCode;

    private CaseCategoryCatalogue(IReadOnlyList<CaseCategory> categories)
    {
        Categories = categories;
        _byCode = categories.ToDictionary(c => c.Code, StringComparer.Ordinal);
    }

    public static CaseCategoryCatalogue Default { get; } = LoadEmbedded();

    public IReadOnlyList<CaseCategory> Categories { get; }

    public bool TryGet(string code, out CaseCategory category) => _byCode.TryGetValue(code, out category!);

    public CaseCategory Get(string code) =>
        TryGet(code, out var category)
            ? category
            : throw new CaseInputException($"Category '{code}' is not in the catalogue; known codes: {string.Join(", ", _byCode.Keys)}.");

    public static CaseCategoryCatalogue Load(Stream json, string source)
    {
        CatalogueFile? file;
        try
        {
            file = JsonSerializer.Deserialize<CatalogueFile>(json, Options);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{source}: not valid case category JSON at {exception.Path}: {exception.Message}");
        }

        if (file?.Categories is not { Count: > 0 } entries)
        {
            throw new InvalidDataException($"{source}: \"categories\" is missing or empty.");
        }

        var categories = new List<CaseCategory>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var where = $"{source}: categories[{i}]{(entry.Code is null ? string.Empty : $" ({entry.Code})")}";
            if (string.IsNullOrWhiteSpace(entry.Code) || string.IsNullOrWhiteSpace(entry.Name) || string.IsNullOrWhiteSpace(entry.Major))
            {
                throw new InvalidDataException($"{where}: code, major and name are required.");
            }
            if (categories.Any(c => c.Code == entry.Code))
            {
                throw new InvalidDataException($"{where}: code {entry.Code} appears twice.");
            }
            if (entry.Normal is null || entry.Emergency is null)
            {
                throw new InvalidDataException($"{where}: needs deadlines for both normal and emergency.");
            }
            if ((entry.Normal.Problem() ?? entry.Emergency.Problem()) is { } problem)
            {
                throw new InvalidDataException($"{where}: {problem}.");
            }
            categories.Add(new CaseCategory(entry.Code, entry.Major, entry.Name, entry.Urgency ?? CaseUrgency.Normal, entry.Normal, entry.Emergency));
        }
        return new CaseCategoryCatalogue(categories);
    }

    private static CaseCategoryCatalogue LoadEmbedded()
    {
        using var stream = typeof(CaseCategoryCatalogue).Assembly.GetManifestResourceStream("CityOps.Twin.Grains.case-categories.json")
            ?? throw new InvalidOperationException("case-categories.json is missing from the grains assembly.");
        return Load(stream, "case-categories.json");
    }

    private sealed record CatalogueFile(List<CategoryEntry>? Categories);

    private sealed record CategoryEntry(string? Code, string? Major, string? Name, CaseUrgency? Urgency, StepDeadlines? Normal, StepDeadlines? Emergency);
}
