namespace CityOps.Twin.Silo.Api;

/// <summary>One refused item of a batch: where it was, which device it named, and what was wrong.</summary>
public sealed record RejectedItem(int Index, string? DeviceId, string Reason);

/// <summary>The answer to a batch: how many items were applied, and each refused one with its reason.</summary>
public sealed record IngestionResult(int Accepted, IReadOnlyList<RejectedItem> Rejected);
