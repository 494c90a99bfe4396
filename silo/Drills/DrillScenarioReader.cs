using System.Globalization;
using System.Text.RegularExpressions;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Silo.City;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CityOps.Twin.Silo.Drills;

/// <summary>
/// Reads a scenario file (YAML, or JSON, which is YAML too) and checks it against the city it will run on: every
/// error names the file, the line and the field, and says what was expected.
/// </summary>
public static partial class DrillScenarioReader
{
    public static DrillScenario Load(string path, CityRegistry city)
    {
        using var reader = new StreamReader(path);
        return Read(reader, Path.GetFileName(path), city);
    }

    public static DrillScenario Read(TextReader text, string source, CityRegistry city)
    {
        var yaml = new YamlStream();
        var parser = new YamlDotNet.Core.Parser(text);
        try
        {
            yaml.Load(parser);
        }
        catch (YamlException exception)
        {
            throw new DrillScenarioException($"{source} line {exception.Start.Line}: not valid YAML or JSON: {exception.InnerException?.Message ?? exception.Message}");
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet gives up on some broken structures (an unclosed flow mapping) without a YamlException.
            throw new DrillScenarioException($"{source} line {parser.Current?.Start.Line.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}: not valid YAML or JSON: a mapping or list is not closed or not well formed there.");
        }
        if (yaml.Documents.Count != 1 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new DrillScenarioException($"{source}: a scenario is one mapping with name, start, duration, injects, expected and players.");
        }
        var file = new Node(source, "", root);
        var injects = file.List("injects").Select((n, i) => Inject(n, city)).ToList();
        Duplicates(file, "injects", injects.Select(i => i.Id));
        var ids = injects.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        var expected = file.List("expected", required: false).Select(n => Expected(n, ids)).ToList();
        var players = file.List("players", required: false).Select(n => Player(n, ids)).ToList();
        var history = file.Mapping("sensor-series") is { } series ? FromHistory(series, city, injects) : default;
        var replay = history.Replay;
        // A replay without a start or a duration plays the storm on its own dates, for as long as the span.
        var start = replay is not null && !file.Has("start") ? replay.From : file.Time("start");
        var duration = replay is not null && !file.Has("duration") ? replay.Span : file.Offset("duration");
        foreach (var (inject, index) in injects.Select((x, i) => (x, i)).Where(x => x.x.At > duration))
        {
            throw new DrillScenarioException($"{source}: injects[{index}] at {inject.At} is after the drill's end ({duration}).");
        }
        if (replay is not null && replay.Span > duration)
        {
            throw history.Node!.Error("to", $"the span {replay.Span} is longer than the drill's duration {duration}; the recorded readings after it would never play");
        }
        return new DrillScenario(file.String("name"), start, duration, injects, expected, players, replay);
    }

    /// <summary>
    /// <c>sensor-series: {from-history: {from, to, sensors}}</c>: the span is checked here; whether the history holds
    /// readings for it is known only when the drill is started (<see cref="DrillHistoryReplay"/>).
    /// </summary>
    private static (HistoryReplay? Replay, Node? Node) FromHistory(Node series, CityRegistry city, IReadOnlyList<DrillInject> injects)
    {
        if (series.Keys.FirstOrDefault(k => k != "from-history") is { } other)
        {
            throw series.Error(other, "expected from-history: {from, to}; a scenario's own series are injects of kind sensor-series");
        }
        var node = series.Mapping("from-history") ?? throw series.Error("from-history", "is required");
        if (node.Keys.FirstOrDefault(k => k is not ("from" or "to" or "sensors")) is { } unknown)
        {
            throw node.Error(unknown, "is not a field of from-history; its fields are from, to and sensors");
        }
        var from = node.Time("from");
        var to = node.Time("to");
        if (from >= to)
        {
            throw node.Error("from", $"{Iso(from)} is not before to ({Iso(to)})");
        }
        if (to - from > DrillHistoryReplay.MaxSpan)
        {
            throw node.Error("to", $"the span {to - from} is longer than the {DrillHistoryReplay.MaxSpan.TotalHours:0} hours a drill replays at most");
        }
        List<string>? only = null;
        if (node.Has("sensors"))
        {
            // A sensor takes its readings from one series: interleaved, each would drop the other's readings older than its last.
            var scripted = injects.Where(i => i.Kind == InjectKind.SensorSeries).GroupBy(i => i.Device!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
            only = [.. node.Strings("sensors").Select(item => !city.Sensors.ContainsKey(item.Value)
                    ? throw item.Error($"'{item.Value}' is not a sensor of the city")
                    : scripted.TryGetValue(item.Value, out var inject)
                        ? throw item.Error($"'{item.Value}' is driven by the inject '{inject}'; a sensor takes its readings from one series")
                        : item.Value)
                .Distinct(StringComparer.Ordinal)];
            if (only.Count == 0)
            {
                throw node.Error("sensors", "expected at least one sensor (leave sensors out to replay every sensor of the city)");
            }
        }
        return (new HistoryReplay(from, to, only, node.Where), node);
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static DrillInject Inject(Node node, CityRegistry city)
    {
        var kind = node.Enum<InjectKind>("kind");
        string? Device(IEnumerable<string> known, string what)
        {
            var id = node.String("device");
            return known.Contains(id) ? id : throw node.Error("device", $"'{id}' is not {what} of the city");
        }
        GeoPoint Point()
        {
            var point = new GeoPoint(node.Number("lon"), node.Number("lat"));
            return city.GridAt(point) is null ? throw node.Error("lon", $"{point} is in no grid of the city") : point;
        }
        var series = kind == InjectKind.SensorSeries
            ? node.List("values").Select(v => (v.Offset("after"), v.Number("value"))).ToList()
            : [];
        return kind switch
        {
            InjectKind.SensorSeries => new(node.String("id"), node.Offset("at"), kind, Device(city.Sensors.Keys, "a sensor"), series, null, null, null, null, null, 0),
            InjectKind.ElevatorTrapped => new(node.String("id"), node.Offset("at"), kind, Device(city.Elevators.Keys, "an elevator"), [], null, null, null, null, null, 0),
            InjectKind.CameraDetection => new(node.String("id"), node.Offset("at"), kind, Device(city.Cameras.Keys, "a camera"), [], null, null, null, null,
                node.Enum<DetectionKind>("detection"), node.Number("confidence", 0, 1)),
            InjectKind.PowerCut => new(node.String("id"), node.Offset("at"), kind, null, [], GridCode(node, city), null, null, null, null, 0),
            InjectKind.HotlineCase => new(node.String("id"), node.Offset("at"), kind, null, [], null, Point(), node.String("category"), node.String("text"), null, 0),
            _ => new(node.String("id"), node.Offset("at"), kind, null, [], null, Point(), node.String("category"), node.String("text"), null, 0),
        };
    }

    private static string GridCode(Node node, CityRegistry city)
    {
        var grid = node.String("grid");
        return city.Areas.TryGetValue(grid, out var area) && area.Level == Contracts.Signs.AreaLevel.Grid ? grid : throw node.Error("grid", $"'{grid}' is not a grid of the city");
    }

    private static ExpectedAction Expected(Node node, HashSet<string> injects)
    {
        var action = node.Enum<DrillActionKind>("action");
        if (action == DrillActionKind.ConfirmProposal)
        {
            throw node.Error("action", "an expected action is switch-mode or dispatch");
        }
        var after = node.OptionalString("after");
        if (after is not null && !injects.Contains(after))
        {
            throw node.Error("after", $"'{after}' is not the id of an inject");
        }
        var inject = action == DrillActionKind.Dispatch ? node.String("inject") : null;
        if (inject is not null && !injects.Contains(inject))
        {
            throw node.Error("inject", $"'{inject}' is not the id of an inject");
        }
        return new(node.String("id"), action, after ?? inject, node.Offset("within"),
            action == DrillActionKind.SwitchMode ? node.Enum<ResponseLevel>("level") : null, inject);
    }

    private static PlayerAction Player(Node node, HashSet<string> injects)
    {
        var action = node.Enum<DrillActionKind>("action");
        var inject = action == DrillActionKind.Dispatch ? node.String("inject") : null;
        if (inject is not null && !injects.Contains(inject))
        {
            throw node.Error("inject", $"'{inject}' is not the id of an inject");
        }
        return action switch
        {
            DrillActionKind.SwitchMode => new(node.Offset("at"), action, node.Enum<EmergencyKind>("kind"), node.Enum<ResponseLevel>("level"), null, node.String("by"), null, node.String("reason")),
            DrillActionKind.Dispatch => new(node.Offset("at"), action, null, null, inject, node.String("by"), node.String("team"), node.OptionalString("reason") ?? ""),
            _ => new(node.Offset("at"), action, null, null, null, node.String("by"), null, ""),
        };
    }

    private static void Duplicates(Node file, string list, IEnumerable<string> ids)
    {
        if (ids.GroupBy(i => i, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new DrillScenarioException($"{file.Source}: {list} has the id '{twice.Key}' twice; ids must be unique.");
        }
    }

    /// <summary>A mapping node of the file with its path (injects[2]) for messages.</summary>
    /// <param name="line">The line of the key naming this mapping, where a message about it as a whole points.</param>
    private sealed class Node(string source, string path, YamlMappingNode mapping, long? line = null)
    {
        public string Source => source;

        /// <summary>The file, line and path of this mapping, for messages about it as a whole.</summary>
        public string Where => $"{source} line {line ?? mapping.Start.Line}, {(path.Length == 0 ? "(scenario)" : path)}";

        public IEnumerable<string> Keys => mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

        public bool Has(string field) => Get(field) is not null;

        public Node? Mapping(string field) => Get(field) switch
        {
            null => null,
            YamlMappingNode child => new Node(source, Path(field), child, mapping.Children.Keys.First(k => k is YamlScalarNode { Value: var key } && key == field).Start.Line),
            _ => throw Error(field, "expected a mapping of fields"),
        };

        /// <summary>A list of texts, each with a way to name it in a message.</summary>
        public IEnumerable<(string Value, Func<string, DrillScenarioException> Error)> Strings(string field)
        {
            if (Get(field) is not YamlSequenceNode sequence)
            {
                throw Error(field, "expected a list of texts");
            }
            return sequence.Children.Select((item, i) =>
            {
                DrillScenarioException Refuse(string problem) => new($"{source} line {item.Start.Line}, {Path(field)}[{i}]: {problem}.");
                return item is YamlScalarNode { Value: { Length: > 0 } text } ? (text, (Func<string, DrillScenarioException>)Refuse) : throw Refuse("expected a text");
            });
        }

        public DrillScenarioException Error(string field, string problem)
        {
            var line = mapping.Children.TryGetValue(new YamlScalarNode(field), out var value) ? value.Start.Line : mapping.Start.Line;
            return new DrillScenarioException($"{source} line {line}, {Path(field)}: {problem}.");
        }

        private string Path(string field) => path.Length == 0 ? field : $"{path}.{field}";

        private YamlNode? Get(string field) => mapping.Children.TryGetValue(new YamlScalarNode(field), out var value) ? value : null;

        public string? OptionalString(string field) => Get(field) switch
        {
            null => null,
            YamlScalarNode { Value: { Length: > 0 } value } => value,
            _ => throw Error(field, "expected a text"),
        };

        public string String(string field) => OptionalString(field) ?? throw Error(field, "is required");

        public double Number(string field, double min = double.MinValue, double max = double.MaxValue)
        {
            var text = String(field);
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= min && value <= max
                ? value
                : throw Error(field, $"expected a number{(min > double.MinValue ? $" from {min} to {max}" : "")}, got '{text}'");
        }

        public T Enum<T>(string field) where T : struct, System.Enum
        {
            var text = String(field);
            var normalised = text.Replace("-", "", StringComparison.Ordinal);
            return System.Enum.TryParse<T>(normalised, ignoreCase: true, out var value) && System.Enum.IsDefined(value)
                ? value
                : throw Error(field, $"expected one of {string.Join(", ", System.Enum.GetNames<T>())}, got '{text}'");
        }

        public DateTimeOffset Time(string field)
        {
            var text = String(field);
            // Every form carries its offset (or Z): a time without one would be read in the machine's zone.
            return DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
                    "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
                ? value
                : throw Error(field, $"expected a time with its offset like 2021-07-25T08:00:00+08:00, got '{text}'");
        }

        /// <summary>An offset like 90m, 1h30m, 2h, 45s or 01:30 (hours:minutes).</summary>
        public TimeSpan Offset(string field)
        {
            var text = String(field);
            if (OffsetPattern().Match(text) is { Success: true } match)
            {
                TimeSpan Part(string name) => match.Groups[name].Success ? TimeSpan.FromSeconds(double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) * (name == "h" ? 3600 : name == "m" ? 60 : 1)) : TimeSpan.Zero;
                return Part("h") + Part("m") + Part("s");
            }
            if (TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out var clock))
            {
                return clock;
            }
            throw Error(field, $"expected an offset like 90m, 1h30m or 01:30, got '{text}'");
        }

        public IEnumerable<Node> List(string field, bool required = true)
        {
            var value = Get(field);
            if (value is null)
            {
                return required ? throw Error(field, "is required") : [];
            }
            if (value is not YamlSequenceNode sequence)
            {
                throw Error(field, "expected a list");
            }
            return sequence.Children.Select((item, i) => item is YamlMappingNode child
                ? new Node(source, $"{Path(field)}[{i}]", child)
                : throw new DrillScenarioException($"{source} line {item.Start.Line}, {Path(field)}[{i}]: expected a mapping of fields."));
        }
    }

    [GeneratedRegex(@"^(?:(?<h>\d+(?:\.\d+)?)h)?(?:(?<m>\d+(?:\.\d+)?)m)?(?:(?<s>\d+(?:\.\d+)?)s)?$")]
    private static partial Regex OffsetPattern();
}
