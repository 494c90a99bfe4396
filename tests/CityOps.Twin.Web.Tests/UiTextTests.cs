using System.Reflection;
using System.Text.RegularExpressions;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Web.Text;

namespace CityOps.Twin.Web.Tests;

public sealed partial class UiTextTests
{
    private static string ComponentsFolder => typeof(UiTextTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "WebComponents").Value!;

    [Fact]
    public void Every_text_a_page_shows_has_its_English()
    {
        var texts = Directory.EnumerateFiles(ComponentsFolder, "*.razor", SearchOption.AllDirectories)
            .SelectMany(file => TextLookup().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetFileName(file), Text: m.Groups[1].Value)))
            .ToList();
        Assert.True(texts.Count > 100, $"only {texts.Count} texts found: is the pattern still right?");

        var missing = texts.Where(t => !EnglishCatalogue.Texts.ContainsKey(t.Text)).Select(t => $"{t.File}: {t.Text}").Distinct().ToList();
        Assert.True(missing.Count == 0, "no English for:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void Every_status_step_and_level_has_its_English()
    {
        var english = UiText.EnglishText;
        foreach (var status in Enum.GetValues<CaseStatus>())
        {
            Assert.Matches("^[A-Za-z ]+$", english.Status(status));
        }
        foreach (var action in Enum.GetValues<CaseAction>())
        {
            Assert.Matches("^[A-Za-z ]+$", english.Action(action));
            Assert.NotEqual(english.Action(action), UiText.Chinese.Action(action));
        }
        foreach (var level in Enum.GetValues<Contracts.Sensors.AlarmLevel>())
        {
            Assert.Matches("^[A-Za-z ]+$", english.Level(level));
        }
    }

    [Fact]
    public void A_catalogue_name_shows_the_half_in_the_view_language()
    {
        Assert.Equal("暴露垃圾", UiText.Chinese.Bilingual("暴露垃圾 Exposed garbage"));
        Assert.Equal("Exposed garbage", UiText.EnglishText.Bilingual("暴露垃圾 Exposed garbage"));
        Assert.Equal("积水点", UiText.EnglishText.Bilingual("积水点"));
    }

    [Fact]
    public void A_countdown_runs_down_to_the_deadline_and_then_says_how_late()
    {
        var now = new DateTimeOffset(2026, 7, 27, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal("01:30:05", UiText.Chinese.Countdown(now.AddMinutes(90).AddSeconds(5), now));
        Assert.Equal("超时 00:10:00", UiText.Chinese.Countdown(now.AddMinutes(-10), now));
        Assert.Equal("Overdue 2d 03h", UiText.EnglishText.Countdown(now.AddHours(-51), now));
        Assert.Equal("—", UiText.EnglishText.Countdown(null, now));
    }

    [Fact]
    public void A_name_of_the_city_is_given_in_English_word_by_word_where_an_English_one_exists()
    {
        Assert.Equal("Waterlogging point WL-00100", UiText.EnglishText.Name("积水点 WL-00100"));
        Assert.Equal("Sanlin Town grid 318", UiText.EnglishText.Name("三林镇 第318网格"));
        Assert.Equal("Sanlin Town building 243 lift 4", UiText.EnglishText.Name("三林镇 243号楼 4号梯"));
        Assert.Equal("上海三菱电梯 Sanlin Town", UiText.EnglishText.Name("上海三菱电梯 三林镇"));
        Assert.Equal("三林镇 第318网格", UiText.Chinese.Name("三林镇 第318网格"));
    }

    [Fact]
    public void A_case_title_the_twin_wrote_shows_its_category_in_the_view_language_and_one_people_wrote_stays_theirs()
    {
        Assert.Equal("道路积水: 积水点 WL-00100", UiText.Chinese.CaseTitle("道路积水 Road waterlogging: 积水点 WL-00100"));
        Assert.Equal("Road waterlogging: Waterlogging point WL-00100", UiText.EnglishText.CaseTitle("道路积水 Road waterlogging: 积水点 WL-00100"));
        Assert.Equal("People trapped: Sanlin Town building 243", UiText.EnglishText.CaseTitle("电梯困人 People trapped: 三林镇 243号楼"));
        Assert.Equal("市民来电：张江路积水没过脚踝", UiText.Chinese.CaseTitle("市民来电：张江路积水没过脚踝"));
        Assert.Equal("市民来电：张江路积水没过脚踝", UiText.EnglishText.CaseTitle("市民来电：张江路积水没过脚踝"));
    }

    [GeneratedRegex(@"T\[""([^""]+)""\]")]
    private static partial Regex TextLookup();
}
