// Small helpers of the twin view that need the browser.
// A page whose server frames stopped (the connection died, the server is gone) shows it: the header clock ticks from
// the server every second, so when nothing on the page has changed for 10 s the shell is marked stale and greys.
// Only the clock counts (Blazor's own reconnect notice changes the page too while the connection is down), and a
// change is timed when it lands, so a check that comes late (a sleeping tab, a jump of the clock) still sees the gap.
(() => {
    let last = Date.now();
    const inClock = node => (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement)?.closest('[data-testid=live-clock]');
    new MutationObserver(records => {
        if (records.some(r => inClock(r.target))) last = Date.now();
    }).observe(document.documentElement, { subtree: true, childList: true, characterData: true });
    setInterval(() => {
        const shell = document.querySelector('.twin-shell');
        if (shell) shell.dataset.stale = Date.now() - last > 10000 ? 'true' : 'false';
    }, 1000);
})();

window.twin = {
    // The language switch is remembered for a year in a cookie, which the server reads when a page is loaded.
    rememberLanguage(code) {
        document.cookie = `twin-lang=${code}; path=/; max-age=31536000; samesite=lax`;
        document.documentElement.lang = code === "en" ? "en" : "zh-Hans";
    },
    // Whether this browser is in the running drill, for this browser session: a reload stays where the user was.
    rememberCity(city) {
        document.cookie = `twin-city=${city}; path=/; samesite=lax`;
    },
};
