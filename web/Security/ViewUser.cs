using System.Security.Claims;
using CityOps.Twin.Contracts.Security;
using Microsoft.AspNetCore.Components.Authorization;

namespace CityOps.Twin.Web.Security;

/// <summary>
/// The signed-in user of one open view (a circuit), as an actor for <see cref="ITwinCommands"/>: name, roles as
/// signed in (the server checks the current ones at each action), and the browser's address for the audit.
/// </summary>
public sealed class ViewUser(AuthenticationStateProvider authentication)
{
    /// <summary>The browser's address, taken from the page's first request.</summary>
    public string? Address { get; set; }

    public async Task<TwinActor> ActorAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        return Of(user, Address);
    }

    public static TwinActor Of(ClaimsPrincipal user, string? address) => new(
        user.Identity?.Name ?? "anonymous",
        [.. user.FindAll(ClaimTypes.Role).Select(c => Enum.TryParse<TwinRole>(c.Value, out var role) ? (TwinRole?)role : null).OfType<TwinRole>()],
        address,
        TwinChannels.View);
}
