using CityOps.Twin.Contracts;
using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.History;
using CityOps.Twin.Grains.Live;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Grains.Placement;

namespace CityOps.Twin.Grains.Devices;

/// <summary>
/// A camera's file, online status and AI detections. A confident detection opens a case of its kind's
/// category, unless this camera's last case of that kind is still open: one puddle filmed all afternoon is
/// one case.
/// </summary>
[GridPlacement]
public sealed class CameraGrain(
    [PersistentState("camera", TwinGrains.Storage)] IPersistentState<CameraState> state, CaseCategoryCatalogue categories, IHistoryAppender history, TimeProvider time) : Grain, ICameraGrain
{
    /// <summary>Detections below this confidence are kept on the camera's page but open no case (a common operating point for such models).</summary>
    public const double CaseConfidence = 0.6;

    private const int RecentDetections = 50;

    private static readonly Dictionary<DetectionKind, string> CategoryOf = new()
    {
        [DetectionKind.Waterlogging] = "0401",
        [DetectionKind.FloatingDebris] = "0103",
        [DetectionKind.MuckTruck] = "0202",
        [DetectionKind.ExposedGarbage] = "0101",
        [DetectionKind.StreetStall] = "0201",
        [DetectionKind.FallenTree] = "0405",
    };

    public async Task File(CameraFile file)
    {
        if (file.CameraId != this.GetPrimaryKeyString() || !file.Position.IsValid)
        {
            throw new ArgumentException($"Camera {this.GetPrimaryKeyString()}: the file is for {file.CameraId} at {file.Position}; it must be this camera's, at a valid position.");
        }
        state.State.File = file;
        await state.WriteStateAsync();
        await PublishAsync();
    }

    public async Task SetOnline(bool online, DateTimeOffset at)
    {
        _ = Filed();
        if (online == state.State.Online)
        {
            return;
        }
        var was = state.State.Online;
        state.State.Online = online;
        state.State.Since = at;
        await state.WriteStateAsync();
        history.Event(new HistoryEvent(at, HistoryEventKind.Camera, this.GetPrimaryKeyString(), state.State.File!.GridCode, OnlineName(was), OnlineName(online)));
        await PublishAsync();
    }

    public async Task<string?> Detect(CameraDetection detection)
    {
        var file = Filed();
        if (!double.IsFinite(detection.Confidence) || detection.Confidence is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(detection), detection.Confidence, $"Camera {file.CameraId}: a detection's confidence is between 0 and 1.");
        }

        state.State.Recent.Add(detection);
        if (state.State.Recent.Count > RecentDetections)
        {
            state.State.Recent.RemoveAt(0);
        }

        string? opened = null;
        var previous = state.State.LastCaseOf.GetValueOrDefault(detection.Kind);
        var stillOpen = previous is not null && (await GrainFactory.GetGrain<ICaseGrain>(previous).Get())?.IsOpen == true;
        if (detection.Confidence >= CaseConfidence && !stillOpen)
        {
            var count = state.State.CasesOpened + 1;
            opened = $"A-{file.CameraId}-{count:D4}";
            var category = CategoryOf[detection.Kind];
            await GrainFactory.GetGrain<ICaseGrain>(opened).Report(new NewCase(
                $"{categories.Get(category).Name}: {file.Name}", $"AI detection {detection.Kind} ({detection.Confidence:P0}) at {detection.At:u}",
                category, CaseSource.CameraAi, file.Position, file.GridCode, $"camera {file.CameraId}"));
            state.State.CasesOpened = count;
            state.State.LastCaseOf[detection.Kind] = opened;
        }
        await state.WriteStateAsync();
        history.Event(new HistoryEvent(detection.At, HistoryEventKind.Camera, file.CameraId, file.GridCode, null, detection.Kind.ToString(), detection.Confidence,
            Note: opened is null ? "detection" : $"detection, case {opened}"));
        return opened;
    }

    public Task<CameraSnapshot?> GetSnapshot() => Task.FromResult(state.State.File is { } file
        ? new CameraSnapshot(file, state.State.Online, state.State.Since, state.State.Recent.ToList())
        : null);

    private static string OnlineName(bool online) => online ? "online" : "offline";

    private CameraFile Filed() => state.State.File ?? throw new InvalidOperationException($"Camera {this.GetPrimaryKeyString()} is not filed; file it first.");

    private Task PublishAsync()
    {
        var file = state.State.File!;
        return TwinPublish.DeviceAsync(GrainFactory, new DeviceState(file.CameraId, DeviceKind.Camera, file.Name, file.GridCode, file.Position, null, AlarmLevel.None,
                state.State.Online, null, time.GetUtcNow()));
    }
}

public sealed class CameraState
{
    public CameraFile? File { get; set; }

    public bool Online { get; set; } = true;

    public DateTimeOffset? Since { get; set; }

    public int CasesOpened { get; set; }

    public Dictionary<DetectionKind, string> LastCaseOf { get; set; } = [];

    public List<CameraDetection> Recent { get; set; } = [];
}
