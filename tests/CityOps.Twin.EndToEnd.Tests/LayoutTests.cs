using CityOps.Twin.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace CityOps.Twin.EndToEnd.Tests;

/// <summary>
/// Every page at the three screens the twin is used on (a laptop at 1280×720, the operations desk at 1920×1080, the
/// wall at 3840×2160): the header stays one row with nothing overlapping or off the screen, and no short label
/// (a button, a status, a table cell of one word) is broken over two lines ("退/出", "正/常").
/// </summary>
[Collection("live twin")]
public sealed class LayoutTests(LiveTwin twin)
{
    private static readonly string[] Pages = ["/", "/signs", "/cases", "/drill", "/devices/WL-00001", "/devices/ELV-00001", "/devices/CAM-00001", "/admin"];

    /// <summary>What is wrong with the page's layout, each problem named with the element and its text.</summary>
    internal const string Problems = """
        () => {
            const problems = [];
            const label = e => `${e.tagName.toLowerCase()}${e.dataset.testid ? `[${e.dataset.testid}]` : e.className ? `.${String(e.className).split(' ')[0]}` : ''} "${(e.innerText || '').trim().slice(0, 40)}"`;
            const visible = e => e.offsetParent !== null && e.getBoundingClientRect().width > 0;
            const header = document.querySelector('.twin-header');
            const bar = header.getBoundingClientRect();
            // The header's items, the navigation's links one by one (a squeezed bar lets them spill over what follows).
            const items = [...header.querySelectorAll(':scope > :not(.twin-nav), .twin-nav a')].filter(e => visible(e) && !e.classList.contains('twin-spacer'));
            for (const e of items) {
                const r = e.getBoundingClientRect();
                if (r.top < bar.top - 1 || r.bottom > bar.bottom + 1) problems.push(`header: ${label(e)} is taller than the header's row`);
                if (r.right > window.innerWidth + 1) problems.push(`header: ${label(e)} runs off the screen (its right edge at ${Math.round(r.right)} px of ${window.innerWidth}; the header's items: ${items.map(i => `${label(i).slice(0, 24)} ${Math.round(i.getBoundingClientRect().width)}`).join(', ')})`);
            }
            for (let i = 0; i < items.length; i++)
                for (let j = i + 1; j < items.length; j++) {
                    const a = items[i].getBoundingClientRect(), b = items[j].getBoundingClientRect();
                    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
                        problems.push(`header: ${label(items[i])} overlaps ${label(items[j])}`);
                }
            // The lines the element's text runs over (its text only: a label's input below its text is by design).
            const lines = e => {
                const size = parseFloat(getComputedStyle(e).fontSize);
                const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
                const tops = [];
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    if (!node.textContent.trim()) continue;
                    const range = document.createRange();
                    range.selectNodeContents(node);
                    tops.push(...[...range.getClientRects()].filter(r => r.width > 0).map(r => r.top));
                }
                tops.sort((x, y) => x - y);
                return tops.filter((t, i) => i === 0 || t - tops[i - 1] > size * 0.6).length;
            };
            const labels = document.querySelectorAll('.twin-header *, .twin-nav a, .panel td, .panel th, .panel button, .panel label, .panel dt, .panel dd, .panel h2, .panel h3, .dialog button, .alarm-level, .count');
            for (const e of labels) {
                const text = (e.innerText || '').trim();
                if (!text || text.length > 12 || /\s/.test(text) || !visible(e)) continue;
                const n = lines(e);
                if (n > 1) problems.push(`${label(e)} is broken over ${n} lines`);
            }
            return [...new Set(problems)];
        }
        """;

    [Theory]
    [InlineData(1280, 720, null)]
    [InlineData(1920, 1080, null)]
    [InlineData(3840, 2160, null)]
    [InlineData(1280, 720, "en")]
    public async Task Nothing_in_the_header_or_the_panels_wraps_mid_word_or_overlaps(int width, int height, string? language)
    {
        var problems = new List<string>();
        foreach (var path in Pages)
        {
            var page = await twin.OpenAsync(path, language, width, height);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            problems.AddRange((await page.EvaluateAsync<string[]>(Problems)).Select(p => $"{path}: {p}"));
            await LiveTwin.ScreenshotAsync(page, $"layout-{width}{language}-{(path == "/" ? "map" : path.Trim('/').Replace('/', '-'))}");
            await page.Context.CloseAsync();
        }

        Assert.True(problems.Count == 0, $"At {width}×{height}{(language is null ? "" : $" ({language})")}:\n{string.Join('\n', problems)}");
    }
}
