namespace CityOps.Twin.Runtime;

public enum DeactivationReasonCode
{
    IdleCollection,
    ApplicationRequested,
    ShuttingDown,
}

/// <summary>Why an activation is being deactivated; passed to <see cref="Grain.OnDeactivateAsync"/>.</summary>
public readonly record struct DeactivationReason(DeactivationReasonCode ReasonCode, string Description);
