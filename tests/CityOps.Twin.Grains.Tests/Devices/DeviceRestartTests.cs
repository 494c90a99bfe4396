using CityOps.Twin.Contracts.Cases;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Geo;
using CityOps.Twin.Grains.Tests.Support;

namespace CityOps.Twin.Grains.Tests.Devices;

public sealed class DeviceRestartTests
{
    private static readonly GeoPoint Gumei = new(121.3905, 31.1462);

    public static TheoryData<string> Stores => ["sqlite", "postgresql"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task After_a_restart_elevator_and_camera_files_statuses_and_their_cases_are_as_before(string store)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var storage = await TwinStore.ByNameAsync(store, "device_restart");
        var elevatorFile = new ElevatorFile($"ELV-{run}", "古美路 1 号楼", "古美路 1 号楼 2 号梯", Gumei, "G-gumei", "通力 KONE", new DateOnly(2026, 6, 1), new DateOnly(2026, 6, 16));
        var cameraFile = new CameraFile($"CAM-{run}", "古美路口探头", Gumei, "G-gumei");
        string trappedCase;
        string detectionCase;
        await using (var silo = await TwinSilo.StartAsync(storage))
        {
            await silo.Grain<IElevatorGrain>(elevatorFile.ElevatorId).File(elevatorFile);
            trappedCase = (await silo.Grain<IElevatorGrain>(elevatorFile.ElevatorId).SetStatus(ElevatorStatus.Trapped, silo.Time.GetUtcNow(), "96333"))!;
            await silo.Grain<ICameraGrain>(cameraFile.CameraId).File(cameraFile);
            detectionCase = (await silo.Grain<ICameraGrain>(cameraFile.CameraId).Detect(new CameraDetection(DetectionKind.ExposedGarbage, silo.Time.GetUtcNow(), 0.88)))!;
            await silo.Grain<ICameraGrain>(cameraFile.CameraId).SetOnline(false, silo.Time.GetUtcNow());
        }

        await using var restarted = await TwinSilo.StartAsync(storage);
        var elevator = (await restarted.Grain<IElevatorGrain>(elevatorFile.ElevatorId).GetSnapshot())!;
        var camera = (await restarted.Grain<ICameraGrain>(cameraFile.CameraId).GetSnapshot())!;

        Assert.Equal(elevatorFile, elevator.File);
        Assert.Equal((ElevatorStatus.Trapped, 1, trappedCase), (elevator.Status, elevator.TrappedEpisodes, elevator.OpenCaseId));
        Assert.Equal(cameraFile, camera.File);
        Assert.False(camera.Online);
        Assert.Equal(DetectionKind.ExposedGarbage, camera.RecentDetections.Single().Kind);
        Assert.Equal(CaseSource.Elevator, (await restarted.Grain<ICaseGrain>(trappedCase).Get())!.Source);
        Assert.Equal(CaseSource.CameraAi, (await restarted.Grain<ICaseGrain>(detectionCase).Get())!.Source);
        // A second detection of the same kind while its case is open opens no new case.
        Assert.Null(await restarted.Grain<ICameraGrain>(cameraFile.CameraId).Detect(new CameraDetection(DetectionKind.ExposedGarbage, restarted.Time.GetUtcNow(), 0.9)));
    }
}
