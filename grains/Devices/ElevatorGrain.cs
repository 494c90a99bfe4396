using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Grains.Live;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Grains.Placement;

namespace CityOps.Twin.Grains.Devices;

/// <summary>
/// An elevator's file and status. Becoming Trapped opens an urgent case (category 0701) with an id made of the
/// elevator and the episode number; Fault and Maintenance only change the indices, through the device state
/// the grid counts.
/// </summary>
[GridPlacement]
public sealed class ElevatorGrain([PersistentState("elevator", TwinGrains.Storage)] IPersistentState<ElevatorState> state, IHistoryAppender history, TimeProvider time) : Grain, IElevatorGrain
{
    private const string TrappedCategory = "0701";

    public async Task File(ElevatorFile file)
    {
        if (file.ElevatorId != this.GetPrimaryKeyString() || !file.Position.IsValid)
        {
            throw new ArgumentException($"Elevator {this.GetPrimaryKeyString()}: the file is for {file.ElevatorId} at {file.Position}; it must be this elevator's, at a valid position.");
        }
        state.State.File = file;
        await state.WriteStateAsync();
        await PublishAsync();
    }

    public async Task<string?> SetStatus(ElevatorStatus status, DateTimeOffset at, string reportedBy)
    {
        var file = state.State.File ?? throw new InvalidOperationException($"Elevator {this.GetPrimaryKeyString()} is not filed; file it before reporting its status.");
        if (status == state.State.Status)
        {
            return null;
        }

        string? opened = null;
        if (status == ElevatorStatus.Trapped)
        {
            state.State.TrappedEpisodes++;
            opened = $"E-{file.ElevatorId}-{state.State.TrappedEpisodes:D4}";
            await GrainFactory.GetGrain<ICaseGrain>(opened).Report(new NewCase(
                $"电梯困人 People trapped: {file.Building}", $"Elevator {file.ElevatorId} at {file.Address} reported trapped at {at:u} by {reportedBy}",
                TrappedCategory, CaseSource.Elevator, file.Position, file.GridCode, reportedBy));
            state.State.OpenCaseId = opened;
        }
        else if (state.State.Status == ElevatorStatus.Trapped)
        {
            state.State.OpenCaseId = null;
        }

        var was = state.State.Status;
        state.State.Status = status;
        state.State.Since = at;
        await state.WriteStateAsync();
        history.Event(new HistoryEvent(at, HistoryEventKind.Elevator, file.ElevatorId, file.GridCode, was.ToString(), status.ToString(), Actor: reportedBy,
            Note: opened is null ? null : $"case {opened}"));
        await PublishAsync();
        return opened;
    }

    public Task<ElevatorSnapshot?> GetSnapshot() => Task.FromResult(state.State.File is { } file
        ? new ElevatorSnapshot(file, state.State.Status, state.State.Since, state.State.TrappedEpisodes, state.State.OpenCaseId)
        : null);

    private Task PublishAsync()
    {
        var file = state.State.File!;
        return TwinPublish.DeviceAsync(GrainFactory, new DeviceState(file.ElevatorId, DeviceKind.Elevator, file.Building, file.GridCode, file.Position, null, AlarmLevel.None,
                Online: true, state.State.Status, time.GetUtcNow()));
    }
}

public sealed class ElevatorState
{
    public ElevatorFile? File { get; set; }

    public ElevatorStatus Status { get; set; }

    public DateTimeOffset? Since { get; set; }

    public int TrappedEpisodes { get; set; }

    public string? OpenCaseId { get; set; }
}
