namespace CityOps.Twin.Tests.Shared;

/// <summary>
/// Waits for what another thread or process makes true (a flush, a commit, a silo's answer, a page's text): asks again
/// every <c>every</c> until the deadline, and fails saying what was awaited and what was last seen. The one way the
/// tests wait for something; none sleeps a fixed time instead.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultEvery = TimeSpan.FromMilliseconds(20);

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? every = null) =>
        ValueAsync(condition, done => done, timeout, _ => what, every);

    /// <param name="what">What was awaited, said as things stand when the time is up.</param>
    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, Func<string> what, TimeSpan? every = null) =>
        ValueAsync(() => Task.FromResult(condition()), done => done, timeout, _ => what(), every);

    /// <summary>Asks <paramref name="probe"/> until <paramref name="done"/> holds for its answer, and returns that answer.</summary>
    /// <param name="what">What was awaited, told the last answer seen: the failure's message.</param>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<T, string> what, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await probe();
            if (done(answer))
            {
                return answer;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout.TotalSeconds:0.#} s: {what(answer)}");
            }
            await Task.Delay(every ?? DefaultEvery);
        }
    }
}
