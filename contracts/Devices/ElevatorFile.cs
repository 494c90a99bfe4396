using CityOps.Twin.Contracts.Geo;

namespace CityOps.Twin.Contracts.Devices;

/// <summary>一梯一档: an elevator's file.</summary>
[GenerateSerializer, Immutable, Alias("CityOps.Devices.ElevatorFile")]
public sealed record ElevatorFile(
    [property: Id(0)] string ElevatorId,
    [property: Id(1)] string Building,
    [property: Id(2)] string Address,
    [property: Id(3)] GeoPoint Position,
    [property: Id(4)] string GridCode,
    [property: Id(5)] string Maintainer,
    [property: Id(6)] DateOnly LastMaintenance,
    [property: Id(7)] DateOnly NextMaintenanceDue);

[GenerateSerializer, Immutable, Alias("CityOps.Devices.ElevatorSnapshot")]
public sealed record ElevatorSnapshot(
    [property: Id(0)] ElevatorFile File,
    [property: Id(1)] ElevatorStatus Status,
    [property: Id(2)] DateTimeOffset? Since,
    [property: Id(3)] int TrappedEpisodes,
    [property: Id(4)] string? OpenCaseId);

/// <summary>An elevator, keyed by its id.</summary>
public interface IElevatorGrain : IGrainWithStringKey
{
    Task File(ElevatorFile file);

    /// <summary>Records a status; becoming Trapped opens an urgent case (one per trapped episode), whose id is returned.</summary>
    Task<string?> SetStatus(ElevatorStatus status, DateTimeOffset at, string reportedBy);

    Task<ElevatorSnapshot?> GetSnapshot();
}
