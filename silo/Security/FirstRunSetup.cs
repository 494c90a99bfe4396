using CityOps.Twin.Contracts.Security;

namespace CityOps.Twin.Silo.Security;

/// <summary>
/// Creates the security tables, and on a database with no user the administrator "admin" with a generated
/// password, printed once to the console; it is stored only as a hash. There is no built-in password.
/// </summary>
public sealed class FirstRunSetup(ISecurityStore store, UserDirectory users, IAuditLog audit, ILogger<FirstRunSetup> logger) : IHostedService
{
    public const string AdminName = "admin";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        if (await users.AnyAsync())
        {
            return;
        }
        string password;
        try
        {
            // The first administrator holds every role so that one person can run the twin from its first minute; give others their own users.
            password = await users.CreateAsync(AdminName, Enum.GetValues<TwinRole>());
        }
        catch (SecurityInputException)
        {
            return; // Another silo over the same database created it a moment ago.
        }
        await audit.AppendAsync(new AuditRecord("setup", "-", TwinChannels.System, null, "user.create", AdminName, "ok", Detail: "first run: the administrator with a generated password"));
        logger.LogWarning("First run: created the administrator '{Name}'; its password is printed on the console once", AdminName);
        Console.WriteLine($"CityOps.Twin: first run: administrator '{AdminName}', password {password}  (shown once: keep it, or sign in and reset it under 管理 Admin)");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
