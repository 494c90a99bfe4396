using CityOps.Twin.Contracts.Mode;

using CityOps.Twin.Grains.Tests.Support;

namespace CityOps.Twin.Grains.Tests.Mode;

public sealed class CityModeGrainTests
{
    [Fact]
    public async Task A_new_city_is_in_normal_mode_from_its_first_start_and_stays_so_across_a_restart()
    {
        var path = Path.Combine(Path.GetTempPath(), "cityops-grains-tests", $"{Guid.NewGuid():N}.db");
        CityMode first;
        await using (var silo = await TwinSilo.StartAsync(b => b.UseSqlite(path)))
        {
            first = await silo.Grain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode();
        }

        await using var restarted = await TwinSilo.StartAsync(b => b.UseSqlite(path), new Runtime.ManualTimeProvider(first.Since.AddDays(3)));
        var second = await restarted.Grain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode();

        Assert.Equal(OperatingMode.Normal, first.Operating);
        Assert.False(first.IsEmergency);
        Assert.Equal("system", first.ChangedBy);
        Assert.Equal(first.Since, second.Since);
        Assert.Equal(first.Operating, second.Operating);
    }
}
