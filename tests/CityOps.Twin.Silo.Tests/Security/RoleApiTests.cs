using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Silo.Tests.Security;

/// <summary>
/// Each role against each class of action through the HTTP API: allowed where the role table says, 403 and an
/// audit line everywhere else, 401 without sign-in.
/// </summary>
public sealed class RoleApiTests(SecuritySiloFixture fixture) : IClassFixture<SecuritySiloFixture>
{
    public static TheoryData<TwinRole, TwinAction> Matrix()
    {
        var data = new TheoryData<TwinRole, TwinAction>();
        foreach (var role in Enum.GetValues<TwinRole>())
        {
            foreach (var action in Enum.GetValues<TwinAction>())
            {
                data.Add(role, action);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_role_may_take_exactly_the_actions_of_the_role_table_and_a_forbidden_one_is_403_and_audited(TwinRole role, TwinAction action)
    {
        var client = fixture.Clients[role];
        var allowed = TwinPermissions.Allows([role], action);

        var response = await TryAsync(client, action);

        if (allowed)
        {
            Assert.True(response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized),
                $"{role} was refused {action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal(AllowedStatus(action), response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
            Assert.Contains(fixture.Names[role], detail);
            var audit = await fixture.AuditAsync(actor: fixture.Names[role]);
            // (The in-process test server has no remote address; the browser tests see the real one in the audit.)
            Assert.Contains(audit, line => line.Record.Outcome == "forbidden" && line.Record.Channel == TwinChannels.Api);
        }
    }

    // What each action class does when allowed: the cheapest real request of the class.
    private static async Task<HttpResponseMessage> TryAsync(HttpClient client, TwinAction action) => action switch
    {
        TwinAction.ReadIndices => await client.GetAsync("/api/areas/city"),
        TwinAction.WorkCases => await client.PostAsJsonAsync("/api/cases", new { title = "井盖缺失", categoryCode = "0101", longitude = 121.6050, latitude = 31.2050 }),
        // Back to normal from normal: authorized, then refused as no change (400), so the shared silo's mode never moves.
        TwinAction.SwitchMode => await client.PostAsJsonAsync("/api/mode/switch", new { to = "Normal", districts = Array.Empty<string>(), reason = "核对" }),
        TwinAction.DirectDrill => await client.PostAsync("/api/drills/pause", null),
        TwinAction.RunDrill => await client.PostAsJsonAsync("/api/drills/inject", new { kind = "elevator-trapped", device = "ELV-00001" }),
        TwinAction.Administer => await client.GetAsync("/api/admin/users"),
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    private static HttpStatusCode AllowedStatus(TwinAction action) => action switch
    {
        TwinAction.WorkCases => HttpStatusCode.Created,
        // No drill runs in this silo: the request gets past authorization and is refused for that, with a reason.
        TwinAction.DirectDrill or TwinAction.RunDrill or TwinAction.SwitchMode => HttpStatusCode.BadRequest,
        _ => HttpStatusCode.OK,
    };

    [Theory]
    [InlineData("GET", "/api/areas/city")]
    [InlineData("GET", "/api/cases")]
    [InlineData("GET", "/api/mode")]
    [InlineData("POST", "/api/mode/switch")]
    [InlineData("POST", "/api/cases")]
    [InlineData("POST", "/api/drills/start")]
    [InlineData("GET", "/api/admin/audit")]
    [InlineData("GET", "/api/geojson/cases")]
    [InlineData("GET", "/twin/city.json")]
    public async Task Without_sign_in_the_api_answers_401_and_the_view_sends_to_the_sign_in_page(string method, string path)
    {
        var anonymous = fixture.Silo.CreateClient(new() { AllowAutoRedirect = false });

        var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { }) : null });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var page = await anonymous.GetAsync("/cases");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin", page.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task The_sign_in_page_and_the_framework_script_it_loads_are_public_and_the_circuits_hub_is_not()
    {
        var anonymous = fixture.Silo.CreateClient(new() { AllowAutoRedirect = false });

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/signin")).StatusCode);
        var script = await anonymous.GetAsync("/_framework/blazor.web.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("javascript", script.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
    }

    [Fact]
    public async Task The_admin_page_is_forbidden_to_other_roles_and_the_refusal_is_audited()
    {
        var operatorClient = fixture.Silo.CreateClient(new() { AllowAutoRedirect = false });
        var password = await fixture.Silo.Services.GetRequiredService<Silo.Security.UserDirectory>().CreateAsync("page-operator", [TwinRole.Operator]);
        (await operatorClient.PostAsJsonAsync("/api/account/signin", new { name = "page-operator", password })).EnsureSuccessStatusCode();

        var response = await operatorClient.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("无权访问", await response.Content.ReadAsStringAsync());
        Assert.Contains(await fixture.AuditAsync(actor: "page-operator"), line => line.Record.Action == "http.forbidden" && line.Record.Target == "GET /admin");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Clients[TwinRole.Admin].GetAsync("/admin")).StatusCode);
    }
}
