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

    public async Task<TwinActor> ActorAsync() => TwinActor.Of((await authentication.GetAuthenticationStateAsync()).User, Address, TwinChannels.View);
}
