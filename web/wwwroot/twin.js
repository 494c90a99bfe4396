// Small helpers of the twin view that need the browser.
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
