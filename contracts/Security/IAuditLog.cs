namespace CityOps.Twin.Contracts.Security;

/// <summary>
/// One line of the audit log as it is appended: who (name, roles, channel: view, api or key), from where, what
/// action on what target, the outcome (ok, forbidden, refused, failed), and for mode switches and case steps the
/// state before and after.
/// </summary>
public sealed record AuditRecord(
    string Actor,
    string Roles,
    string Channel,
    string? Address,
    string Action,
    string? Target,
    string Outcome,
    string? Before = null,
    string? After = null,
    string? Detail = null)
{
    public static AuditRecord Of(TwinActor actor, string action, string? target, string outcome, string? before = null, string? after = null, string? detail = null) =>
        new(actor.Name, actor.RoleList, actor.Channel, actor.Address, action, target, outcome, before, after, detail);
}

/// <summary>A line of the audit log as stored: its sequence number and time, which the log gives it.</summary>
public sealed record AuditEntry(long Sequence, DateTimeOffset At, AuditRecord Record);

/// <summary>Which lines to read: newest first, before a sequence number, optionally of one actor or action prefix.</summary>
public sealed record AuditQuery(int Count = 200, long? Before = null, string? Actor = null, string? Action = null);

/// <summary>
/// The append-only audit log, in the twin's database. It has no way to change or remove a line; the database
/// refuses an UPDATE or DELETE of one too.
/// </summary>
public interface IAuditLog
{
    /// <summary>
    /// Appends the line durably; if the database cannot be reached the line waits in a bounded queue and is
    /// written when it returns (the call still completes).
    /// </summary>
    Task AppendAsync(AuditRecord record);

    Task<IReadOnlyList<AuditEntry>> ReadAsync(AuditQuery query);

    /// <summary>Lines waiting for the database to return.</summary>
    int Pending { get; }
}
