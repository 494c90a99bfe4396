using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using CityOps.Twin.Contracts.Security;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CityOps.Twin.Silo.Tests.Security;

/// <summary>Request size limits, antiforgery on the view's forms, security headers, HTTPS by configuration.</summary>
public sealed class LimitsTests(SecuritySiloFixture fixture) : IClassFixture<SecuritySiloFixture>
{
    [Fact]
    public async Task A_body_over_the_size_limit_is_refused_413_before_it_is_read()
    {
        var gateway = await fixture.Silo.KeyClientAsync(["*"]);
        var body = new StringBuilder("""{"readings":[""");
        while (body.Length < 5 * 1024 * 1024)
        {
            body.Append("""{"sensorId":"WL-00001","measuredAt":"2026-11-21T10:00:00+08:00","value":0.1},""");
        }
        body.Append("""{"sensorId":"WL-00001","measuredAt":"2026-11-21T10:00:00+08:00","value":0.1}]}""");

        var response = await gateway.PostAsync("/api/ingest/readings", new StringContent(body.ToString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task The_sign_in_form_without_its_antiforgery_token_is_refused()
    {
        var client = fixture.Silo.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var password = await fixture.Silo.Services.GetRequiredService<Silo.Security.UserDirectory>().CreateAsync("forged-form", [TwinRole.Leader]);

        var forged = await client.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "forged-form", ["password"] = password }));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/account/me")).StatusCode);
    }

    [Fact]
    public async Task Every_answer_carries_the_security_headers()
    {
        foreach (var path in new[] { "/signin", "/healthz", "/api/areas/city" })
        {
            var response = await fixture.Clients[TwinRole.Leader].GetAsync(path);
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        }
    }

    [Fact]
    public async Task The_session_cookie_is_http_only_and_same_site_strict()
    {
        var client = fixture.Silo.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        var password = await fixture.Silo.Services.GetRequiredService<Silo.Security.UserDirectory>().CreateAsync("cookie-check", [TwinRole.Leader]);

        var response = await client.PostAsJsonAsync("/api/account/signin", new { name = "cookie-check", password });

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(Silo.Security.SecurityHosting.CookieName, StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task With_https_required_plain_http_is_redirected_and_https_answers_carry_HSTS_and_a_secure_cookie()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"), ("Security:RequireHttps", "true"), ("https_port", "443"));
        var plain = silo.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://localhost") });

        var redirected = await plain.GetAsync("/signin");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal("https://localhost/signin", redirected.Headers.Location!.ToString());
        // (HSTS is never sent to localhost, by design: a name the operations centre would use.)
        var secure = silo.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, BaseAddress = new Uri("https://twin.ops.example") });
        Assert.True((await secure.GetAsync("/signin")).Headers.Contains("Strict-Transport-Security"));
        var password = await silo.Services.GetRequiredService<Silo.Security.UserDirectory>().CreateAsync("tls-user", [TwinRole.Leader]);
        var signedIn = await secure.PostAsJsonAsync("/api/account/signin", new { name = "tls-user", password });
        Assert.Contains("secure", signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(Silo.Security.SecurityHosting.CookieName, StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
    }
}
