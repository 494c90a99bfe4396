using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Runtime;

namespace CityOps.Twin.Contracts.Devices;

/// <summary>一梯一档: an elevator's file.</summary>
public sealed record ElevatorFile(
    string ElevatorId,
    string Building,
    string Address,
    GeoPoint Position,
    string GridCode,
    string Maintainer,
    DateOnly LastMaintenance,
    DateOnly NextMaintenanceDue);

public sealed record ElevatorSnapshot(ElevatorFile File, ElevatorStatus Status, DateTimeOffset? Since, int TrappedEpisodes, string? OpenCaseId);

/// <summary>An elevator, keyed by its id.</summary>
public interface IElevatorGrain : IGrainWithStringKey
{
    Task File(ElevatorFile file);

    /// <summary>Records a status; becoming Trapped opens an urgent case (one per trapped episode), whose id is returned.</summary>
    Task<string?> SetStatus(ElevatorStatus status, DateTimeOffset at, string reportedBy);

    Task<ElevatorSnapshot?> GetSnapshot();
}
