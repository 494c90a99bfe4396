using System.Globalization;
using System.Xml.Linq;
using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Silo.Cap;

/// <summary>One area of a CAP alert: its description and its polygons (each a closed ring, WGS84).</summary>
public sealed record CapArea(string Description, IReadOnlyList<IReadOnlyList<GeoPoint>> Polygons);

/// <summary>
/// An OASIS CAP 1.2 alert as the twin sends it: one info block (Simplified Chinese) with one or more areas.
/// <see cref="ToXml"/> writes exactly the elements CAP 1.2 requires and the optional ones we fill.
/// </summary>
public sealed record CapAlert(
    string Identifier,
    string Sender,
    DateTimeOffset Sent,
    string Status,
    string MsgType,
    string? Note,
    IReadOnlyList<string> References,
    string Category,
    string Event,
    string Urgency,
    string Severity,
    string Certainty,
    string Headline,
    string Description,
    IReadOnlyList<CapArea> Areas)
{
    public static readonly XNamespace Namespace = "urn:oasis:names:tc:emergency:cap:1.2";

    public const string ContentType = "application/cap+xml";

    /// <summary>CAP's dateTime: seconds, an explicit offset, never "Z" (CAP 1.2 §3.3.2).</summary>
    public static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public XDocument ToXml()
    {
        var ns = Namespace;
        var alert = new XElement(ns + "alert",
            new XElement(ns + "identifier", Identifier),
            new XElement(ns + "sender", Sender),
            new XElement(ns + "sent", Time(Sent)),
            new XElement(ns + "status", Status),
            new XElement(ns + "msgType", MsgType),
            new XElement(ns + "scope", "Public"));
        if (Note is not null)
        {
            alert.Add(new XElement(ns + "note", Note));
        }
        if (References.Count > 0)
        {
            alert.Add(new XElement(ns + "references", string.Join(' ', References)));
        }
        alert.Add(new XElement(ns + "info",
            new XElement(ns + "language", "zh-CN"),
            new XElement(ns + "category", Category),
            new XElement(ns + "event", Event),
            new XElement(ns + "urgency", Urgency),
            new XElement(ns + "severity", Severity),
            new XElement(ns + "certainty", Certainty),
            new XElement(ns + "senderName", "城市运行数字孪生 CityOps.Twin"),
            new XElement(ns + "headline", Headline),
            new XElement(ns + "description", Description),
            Areas.Select(area => new XElement(ns + "area",
                new XElement(ns + "areaDesc", area.Description),
                area.Polygons.Select(ring => new XElement(ns + "polygon", Polygon(ring)))))));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), alert);
    }

    /// <summary>"lat,lon" pairs separated by spaces, the first repeated at the end (CAP 1.2 §3.2.4 polygon).</summary>
    public static string Polygon(IReadOnlyList<GeoPoint> ring)
    {
        var points = ring.Count > 0 && ring[0] != ring[^1] ? [.. ring, ring[0]] : ring;
        return string.Join(' ', points.Select(p => FormattableString.Invariant($"{p.Latitude:0.######},{p.Longitude:0.######}")));
    }
}
