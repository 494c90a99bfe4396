using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CityOps.Twin.Silo.Tests.Support;

/// <summary>
/// The rules of OASIS CAP 1.2 (2010) that an alert must meet, checked element by element: the required
/// elements of alert, info and area and their allowed values (§3.2), the dateTime form (§3.3.2), the
/// identifier's forbidden characters, and the polygon rule (§3.2.4: at least four "lat,lon" pairs, the first
/// and last the same).
/// </summary>
public static partial class CapSpecification
{
    private static readonly XNamespace Cap = "urn:oasis:names:tc:emergency:cap:1.2";

    private static readonly string[] Statuses = ["Actual", "Exercise", "System", "Test", "Draft"];
    private static readonly string[] MsgTypes = ["Alert", "Update", "Cancel", "Ack", "Error"];
    private static readonly string[] Scopes = ["Public", "Restricted", "Private"];
    private static readonly string[] Categories = ["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"];
    private static readonly string[] Urgencies = ["Immediate", "Expected", "Future", "Past", "Unknown"];
    private static readonly string[] Severities = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"];
    private static readonly string[] Certainties = ["Observed", "Likely", "Possible", "Unlikely", "Unknown"];

    /// <summary>Every way the alert breaks CAP 1.2; empty when it conforms.</summary>
    public static List<string> Problems(XDocument document)
    {
        var problems = new List<string>();
        var alert = document.Root;
        if (alert is null || alert.Name != Cap + "alert")
        {
            return [$"the root is {alert?.Name}, not {Cap + "alert"}"];
        }
        string? One(XElement parent, string name, string where)
        {
            var found = parent.Elements(Cap + name).ToList();
            if (found.Count != 1)
            {
                problems.Add($"{where}: {found.Count} <{name}> elements, CAP 1.2 requires exactly one");
                return null;
            }
            return found[0].Value;
        }
        void OneOf(XElement parent, string name, string[] allowed, string where)
        {
            if (One(parent, name, where) is { } value && !allowed.Contains(value))
            {
                problems.Add($"{where}: <{name}> '{value}' is not one of {string.Join(", ", allowed)}");
            }
        }

        if (One(alert, "identifier", "alert") is { } identifier && ForbiddenInIdentifier().IsMatch(identifier))
        {
            problems.Add($"alert: identifier '{identifier}' holds a space, comma, '<' or '&'");
        }
        One(alert, "sender", "alert");
        if (One(alert, "sent", "alert") is { } sent && !CapTime().IsMatch(sent))
        {
            problems.Add($"alert: sent '{sent}' is not CAP's dateTime (seconds and an explicit offset, no 'Z')");
        }
        OneOf(alert, "status", Statuses, "alert");
        OneOf(alert, "msgType", MsgTypes, "alert");
        OneOf(alert, "scope", Scopes, "alert");
        var msgType = alert.Element(Cap + "msgType")?.Value;
        if (msgType is "Update" or "Cancel" && alert.Element(Cap + "references") is null)
        {
            problems.Add($"alert: a {msgType} should reference the alert it updates or cancels");
        }

        var infos = alert.Elements(Cap + "info").ToList();
        if (infos.Count == 0)
        {
            problems.Add("alert: no <info>");
        }
        foreach (var info in infos)
        {
            if (!info.Elements(Cap + "category").Any())
            {
                problems.Add("info: no <category>");
            }
            foreach (var category in info.Elements(Cap + "category").Where(c => !Categories.Contains(c.Value)))
            {
                problems.Add($"info: <category> '{category.Value}' is not a CAP category");
            }
            One(info, "event", "info");
            OneOf(info, "urgency", Urgencies, "info");
            OneOf(info, "severity", Severities, "info");
            OneOf(info, "certainty", Certainties, "info");
            foreach (var area in info.Elements(Cap + "area"))
            {
                One(area, "areaDesc", "area");
                foreach (var polygon in area.Elements(Cap + "polygon"))
                {
                    problems.AddRange(PolygonProblems(polygon.Value));
                }
            }
        }
        return problems;
    }

    public static IEnumerable<string> PolygonProblems(string polygon)
    {
        var pairs = polygon.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (pairs.Length < 4)
        {
            yield return $"polygon: {pairs.Length} points, at least 4 are required";
        }
        foreach (var pair in pairs)
        {
            var parts = pair.Split(',');
            if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lat)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var lon) || lat is < -90 or > 90 || lon is < -180 or > 180)
            {
                yield return $"polygon: '{pair}' is not a WGS84 'lat,lon' pair";
            }
        }
        if (pairs.Length > 0 && pairs[0] != pairs[^1])
        {
            yield return $"polygon: the first point {pairs[0]} and the last {pairs[^1]} must be the same";
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")]
    private static partial Regex CapTime();

    [GeneratedRegex(@"[\s,<&]")]
    private static partial Regex ForbiddenInIdentifier();
}
