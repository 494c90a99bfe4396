namespace CityOps.Twin.Silo.Tests.Storage;

/// <summary>Waits for a condition another thread makes true (a flush, a commit), failing with what was awaited.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout.TotalSeconds} s: {what}");
            }
            await Task.Delay(20);
        }
    }
}
