using System.Globalization;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Web.Text;

namespace CityOps.Twin.Web.History;

/// <summary>The words of the history plots in the view's language.</summary>
public static class HistoryText
{
    /// <summary>每1小时 / 1-hour buckets; 每5分钟 / 5-minute buckets; 每1天 / 1-day buckets.</summary>
    public static string BucketText(this UiText text, TimeSpan width)
    {
        var (count, unit, english) = width.TotalDays >= 1 && width.TotalDays % 1 == 0 ? (width.TotalDays, "天", "day")
            : width.TotalHours >= 1 && width.TotalHours % 1 == 0 ? (width.TotalHours, "小时", "hour")
            : (width.TotalMinutes, "分钟", "minute");
        var number = count.ToString("0.##", CultureInfo.InvariantCulture);
        return text.English ? $"{number}-{english} buckets" : $"每{number}{unit}";
    }

    /// <summary>A switch as its marker reads: 平时, or 应急 防汛 III级 (English: Emergency Flood level III), with the districts' count if not city-wide.</summary>
    public static string SwitchLabel(this UiText text, ModeSwitchMark mark)
    {
        if (mark.To != OperatingMode.Emergency)
        {
            return text["平时"];
        }
        var kind = mark.Kind is { } k ? $" {text.Emergency(k)}" : "";
        var level = mark.Level is { } l ? (text.English ? $" level {l}" : $" {l}级") : "";
        var districts = mark.Districts.Count > 0 ? $" ({mark.Districts.Count} {text["个区"]})" : "";
        return $"{text["应急"]}{kind}{level}{districts}";
    }
}
