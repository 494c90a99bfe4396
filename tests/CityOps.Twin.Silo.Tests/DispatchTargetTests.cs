using System.Net.Http.Json;
using CityOps.Twin.Contracts.City;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Signs;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

public sealed class DispatchTargetTests
{
    [Fact]
    public async Task A_case_goes_to_its_grids_team_in_normal_times_and_to_the_emergency_team_where_the_emergency_covers_it()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("Switchover:DispatchTargets:Flood", "浦东防汛抢险队"));
        var http = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();
        var city = silo.Services.GetRequiredService<ICityDirectory>();
        var switchboard = silo.Services.GetRequiredService<IModeSwitchboard>();
        var district = city.Areas.Values.First(a => a.Level == AreaLevel.District).Code;
        string DistrictOf(AreaDefinition grid) => city.Areas[grid.ParentCode!].ParentCode!;
        var inside = city.Areas.Values.First(a => a.Level == AreaLevel.Grid && DistrictOf(a) == district);
        var outside = city.Areas.Values.First(a => a.Level == AreaLevel.Grid && DistrictOf(a) != district);

        Assert.Equal(inside.Team, await switchboard.DispatchTargetAsync(inside.Code));

        (await http.PostAsJsonAsync("/api/mode/switch", new { to = "Emergency", kind = "Flood", level = "III", districts = new[] { district }, by = "指挥长", reason = "暴雨" })).EnsureSuccessStatusCode();
        Assert.Equal("浦东防汛抢险队", await switchboard.DispatchTargetAsync(inside.Code));
        Assert.Equal(outside.Team, await switchboard.DispatchTargetAsync(outside.Code));

        (await http.PostAsJsonAsync("/api/mode/switch", new { to = "Normal", districts = Array.Empty<string>(), by = "指挥长", reason = "解除" })).EnsureSuccessStatusCode();
        Assert.Equal(inside.Team, await switchboard.DispatchTargetAsync(inside.Code));
    }
}
