using System.Net;
using System.Net.Http.Json;
using CityOps.Twin.Contracts.Security;
using CityOps.Twin.Silo.Security;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests.Security;

/// <summary>The first start creates the administrator with a generated password; there is no built-in one.</summary>
public sealed class FirstRunTests
{
    private static async Task<StoredUser> AdminOfAsync(SiloFactory silo) =>
        (await silo.Services.GetRequiredService<ISecurityStore>().FindUserAsync(FirstRunSetup.AdminName))!;

    [Fact]
    public async Task The_first_start_creates_one_administrator_with_every_role_and_a_password_of_its_own_and_a_restart_keeps_it()
    {
        var data = SiloFactory.NewDataFolder();
        StoredUser first;
        await using (var silo = new SiloFactory(("data", data)))
        {
            silo.CreateClient();
            first = await AdminOfAsync(silo);
            Assert.Equal(Enum.GetValues<TwinRole>(), first.Roles);
            Assert.Single(await silo.Services.GetRequiredService<UserDirectory>().ListAsync());
            // No password anyone could guess from the code or the docs.
            foreach (var guess in new[] { "", "admin", "password", "123456", "cityops", "CityOps.Twin", "changeme" })
            {
                Assert.Null(await silo.Services.GetRequiredService<UserDirectory>().VerifyAsync("admin", guess));
            }
            Assert.Contains(await silo.Services.GetRequiredService<IAuditLog>().ReadAsync(new AuditQuery(10)),
                l => (l.Record.Actor, l.Record.Action, l.Record.Target) == ("setup", "user.create", "admin"));
        }
        await using (var again = new SiloFactory(("data", data)))
        {
            again.CreateClient();
            Assert.Equal(first.PasswordHash, (await AdminOfAsync(again)).PasswordHash);
        }
        await using var other = new SiloFactory(("data", SiloFactory.NewDataFolder()));
        other.CreateClient();
        Assert.NotEqual(first.PasswordHash, (await AdminOfAsync(other)).PasswordHash);
    }

    [Fact]
    public async Task Users_are_created_with_names_in_chinese_and_bad_requests_are_refused_with_what_was_wrong()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        var admin = await silo.SignedInClientAsync(TwinRole.Admin);

        var created = await admin.PostAsJsonAsync("/api/admin/users", new { name = "值班员李", roles = new[] { "Operator" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await silo.CreateClient().PostAsJsonAsync("/api/account/signin",
            new { name = "值班员李", password = (await created.Content.ReadFromJsonAsync<Api.AdminApi.CreatedUser>(DemoSiloFixture.Json))!.Password })).StatusCode);

        foreach (var (body, problem) in new (object, string)[]
        {
            (new { name = "值班员李", roles = new[] { "Operator" } }, "exists already"),
            (new { name = "x", roles = new[] { "Operator" } }, "2 to 64 letters"),
            (new { name = "no-roles", roles = Array.Empty<string>() }, "one or more roles"),
            (new { name = "short-password", roles = new[] { "Leader" }, password = "short" }, "at least 12 characters"),
        })
        {
            var refused = await admin.PostAsJsonAsync("/api/admin/users", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(problem, await refused.Content.ReadAsStringAsync());
        }
        var unknownRole = await admin.PostAsJsonAsync("/api/admin/users", new { name = "bad-role", roles = new[] { "Mayor" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknownRole.StatusCode);
    }
}
