namespace CityOps.Twin.Web.Text;

/// <summary>
/// The language of one browser's view: Simplified Chinese unless its "twin-lang" cookie says English. The switch
/// sets the cookie (so the next visit opens in the same language) and tells the view to redraw.
/// </summary>
public sealed class TwinLanguage
{
    public const string Cookie = "twin-lang";

    public UiText Text { get; private set; } = UiText.Chinese;

    public event Action? Changed;

    public void Use(bool english)
    {
        if (Text.English == english)
        {
            return;
        }
        Text = english ? UiText.EnglishText : UiText.Chinese;
        Changed?.Invoke();
    }

    public static bool IsEnglish(string? cookie) => string.Equals(cookie, "en", StringComparison.Ordinal);
}
