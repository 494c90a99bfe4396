using System.Globalization;
using System.Net.Http.Json;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

public sealed class SwitchProposalTests
{
    [Fact]
    public async Task The_twin_proposes_a_flood_emergency_when_the_flood_index_falls_below_the_level_but_never_switches_by_itself()
    {
        // Level IV proposed as soon as the city's flood index leaves 100, so one flooded road is enough to show it.
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("Switchover:ProposeBelow:IV", "99.999"));
        var http = await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();
        var switchboard = silo.Services.GetRequiredService<IModeSwitchboard>();
        var proposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        switchboard.ProposalChanged += () =>
        {
            if (switchboard.Proposal is not null)
            {
                proposed.TrySetResult();
            }
        };
        var sensor = (await silo.Services.GetRequiredService<IClusterClient>().GetGrain<ISensorGrain>("WL-00222").GetSnapshot())!;

        (await http.PostAsJsonAsync("/api/ingest/readings", new { readings = new[] { new { sensorId = "WL-00222", measuredAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), value = sensor.Thresholds.Red + 5 } } })).EnsureSuccessStatusCode();
        await proposed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var proposal = switchboard.Proposal!;
        Assert.Equal((EmergencyKind.Flood, ResponseLevel.IV), (proposal.Kind, proposal.Level));
        Assert.True(proposal.FloodIndex < 99.999);
        Assert.False((await http.GetFromJsonAsync<CityMode>("/api/mode", DemoSiloFixture.Json))!.IsEmergency);

        // A commander confirms: the switch happens and the proposal is gone.
        (await http.PostAsJsonAsync("/api/mode/switch", new { to = "Emergency", kind = proposal.Kind.ToString(), level = proposal.Level.ToString(), districts = Array.Empty<string>(), by = "指挥长", reason = proposal.Why })).EnsureSuccessStatusCode();
        Assert.Null(switchboard.Proposal);
        Assert.True((await http.GetFromJsonAsync<CityMode>("/api/mode", DemoSiloFixture.Json))!.IsEmergency);
    }
}
