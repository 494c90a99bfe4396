using System.Globalization;
using System.Text.Json;

namespace CityOps.Twin.Silo.Api;

/// <summary>
/// Reads the fields of one batch item, each failure a sentence about the field: the batch is parsed item by
/// item so that one bad item is refused on its own and the rest of the batch still counts.
/// </summary>
internal static partial class JsonItems
{
    /// <summary>An ISO 8601 time ends with its offset: Z, or +hh:mm / -hh:mm.</summary>
    // A date, a time and an offset: "10:00+08:00" alone would be read as today, and "2026-07-27 08:00" as the server's zone.
    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex IsoDateTimeWithOffset();

    /// <summary>An ISO 8601 date and time with its offset (2026-07-27T08:00:00+08:00, or ...Z); nothing looser.</summary>
    public static bool TryIsoTime(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && IsoDateTimeWithOffset().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    public static bool TryString(JsonElement item, string field, out string value, out string? error)
    {
        value = string.Empty;
        error = null;
        if (!item.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            error = $"{field} is missing";
            return false;
        }
        if (element.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(element.GetString()))
        {
            error = $"{field} must be a non-empty string";
            return false;
        }
        value = element.GetString()!;
        return true;
    }

    public static bool TryTime(JsonElement item, string field, out DateTimeOffset value, out string? error)
    {
        value = default;
        if (!TryString(item, field, out var text, out error))
        {
            return false;
        }
        // ISO 8601 with an offset: a time without one could be UTC or Beijing time, eight hours apart.
        if (!TryIsoTime(text, out value))
        {
            error = $"{field} '{text}' is not an ISO 8601 time with an offset (e.g. 2026-07-27T08:00:00+08:00)";
            return false;
        }
        return true;
    }

    public static bool TryNumber(JsonElement item, string field, out double value, out string? error)
    {
        value = default;
        error = null;
        if (!item.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            error = $"{field} is missing";
            return false;
        }
        if (element.ValueKind == JsonValueKind.String && element.GetString() is { } text
            && (text.Contains("NaN", StringComparison.OrdinalIgnoreCase) || text.Contains("Infinity", StringComparison.OrdinalIgnoreCase)))
        {
            error = $"{field} is {text}: a reading must be a finite number";
            return false;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out value) || !double.IsFinite(value))
        {
            error = $"{field} must be a finite number; got {element.GetRawText()}";
            return false;
        }
        return true;
    }
}
