using System.Xml.Linq;
using CityOps.Twin.Contracts.Devices;
using CityOps.Twin.Contracts.Mode;
using CityOps.Twin.Contracts.Sensors;
using CityOps.Twin.Grains.Cases;
using CityOps.Twin.Grains.Sensors;
using CityOps.Twin.Silo.City;
using CityOps.Twin.Silo.Drills;
using CityOps.Twin.Grains.Mode;
using CityOps.Twin.Silo.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Twin.Silo.Tests;

public sealed class DrillTests
{
    private static readonly string SampleScenario = Path.Combine(AppContext.BaseDirectory, "Drills", "Scenarios", "rainstorm-drill.yaml");
    private static readonly Lazy<CityRegistry> Demo = new(() => new CityRegistry(DemoCity.Build()));
    private static readonly XNamespace Cap = "urn:oasis:names:tc:emergency:cap:1.2";

    private static readonly string LateSwitchScenario = Path.Combine(AppContext.BaseDirectory, "Drills", "rainstorm-late-switch.yaml");

    private static async Task<DrillReport> RunSampleAsync(string? path = null)
    {
        var scenario = DrillScenarioReader.Load(path ?? SampleScenario, Demo.Value);
        await using var run = await DrillRun.CreateAsync(Demo.Value, CaseCategoryCatalogue.Default, SensorRulebook.Default, new SwitchoverOptions(), scenario.Start);
        return await run.RunAsync(scenario, speed: 0);
    }

    [Fact]
    public void The_sample_scenario_reads_with_its_injects_expected_actions_and_players()
    {
        var scenario = DrillScenarioReader.Load(SampleScenario, Demo.Value);

        Assert.Equal(TimeSpan.FromHours(2), scenario.Duration);
        Assert.Equal([InjectKind.SensorSeries, InjectKind.ElevatorTrapped, InjectKind.HotlineCase], scenario.Injects.Select(i => i.Kind));
        Assert.Equal(6, scenario.Injects[0].Series.Count);
        Assert.Equal(TimeSpan.FromMinutes(10), scenario.Expected[0].Within);
        Assert.Equal(ResponseLevel.III, scenario.Players[0].Level);
    }

    [Theory]
    [InlineData("name: x\nstart: 2021-07-25T08:00:00+08:00\n  duration: 1h", "line 3", "not valid YAML")]
    [InlineData("start: 2021-07-25T08:00:00+08:00\nduration: 1h\ninjects: []", "line 1, name", "is required")]
    [InlineData("name: x\nstart: 25/07/2021\nduration: 1h\ninjects: []", "line 2, start", "expected a time with its offset")]
    [InlineData("name: x\nstart: 2021-07-25T08:00:00+08:00\nduration: an hour\ninjects: []", "line 3, duration", "expected an offset")]
    [InlineData("name: x\nstart: 2021-07-25T08:00:00+08:00\nduration: 1h\ninjects:\n  - id: a\n    at: 5m\n    kind: meteor-strike", "line 7, injects[0].kind", "expected one of SensorSeries")]
    [InlineData("name: x\nstart: 2021-07-25T08:00:00+08:00\nduration: 1h\ninjects:\n  - id: a\n    at: 5m\n    kind: elevator-trapped\n    device: ELV-99999", "line 8, injects[0].device", "'ELV-99999' is not an elevator")]
    [InlineData("name: x\nstart: 2021-07-25T08:00:00+08:00\nduration: 1h\ninjects:\n  - id: a\n    at: 5m\n    kind: camera-detection\n    device: CAM-00001\n    detection: FallenTree\n    confidence: 1.5", "line 10, injects[0].confidence", "from 0 to 1")]
    [InlineData("name: x\nstart: 2021-07-25T08:00:00+08:00\nduration: 1h\ninjects:\n  - id: a\n    at: 5m\n    kind: hotline-case\n    category: '0401'\n    lon: 116.39\n    lat: 39.9\n    text: 北京", "line 9, injects[0].lon", "in no grid of the city")]
    [InlineData("name: x\nstart: 2021-07-25T08:00:00+08:00\nduration: 1h\ninjects:\n  - id: a\n    at: 5m\n    kind: sensor-series\n    device: WL-00001\n    values:\n      - { after: 0m, value: deep }", "line 10, injects[0].values[0].value", "expected a number")]
    [InlineData("name: x\nstart: 2021-07-25T08:00:00+08:00\nduration: 1h\ninjects:\n  - id: a\n    at: 2h\n    kind: elevator-trapped\n    device: ELV-00001", "injects[0] at 02:00:00", "after the drill's end")]
    [InlineData("name: x\nstart: 2021-07-25T08:00:00+08:00\nduration: 1h\ninjects:\n  - { id: a, at: 5m, kind: elevator-trapped, device: ELV-00001 }\n  - { id: a, at: 6m, kind: elevator-trapped, device: ELV-00002 }", "injects has the id 'a' twice", "unique")]
    [InlineData("name: x\nstart: 2021-07-25T08:00:00+08:00\nduration: 1h\ninjects: []\nexpected:\n  - { id: e, action: dispatch, inject: nope, within: 5m }", "line 6, expected[0].inject", "'nope' is not the id of an inject")]
    public void A_bad_scenario_is_refused_naming_the_line_and_the_field(string yaml, string where, string problem)
    {
        var refused = Assert.Throws<DrillScenarioException>(() => DrillScenarioReader.Read(new StringReader(yaml), "bad.yaml", Demo.Value));

        Assert.Contains("bad.yaml", refused.Message);
        Assert.Contains(where, refused.Message);
        Assert.Contains(problem, refused.Message);
    }

    [Fact]
    public async Task The_shipped_example_drill_meets_both_its_expected_actions_with_its_own_script()
    {
        var report = await RunSampleAsync();

        // Flooding from 00:10, the scripted commander switches at 00:17 (10 allowed); the lift case goes out in 3 (5 allowed).
        Assert.Equal([("switch-to-III", true, TimeSpan.FromMinutes(7), "指挥长"), ("dispatch-lift", true, TimeSpan.FromMinutes(3), "值班员")],
            report.Expected.Select(e => (e.Id, e.Met, e.Delay!.Value, e.By)));
    }

    [Fact]
    public async Task A_drill_whose_commander_switches_late_misses_it_and_its_report_holds_every_section()
    {
        var report = await RunSampleAsync(LateSwitchScenario);

        // The commander switched 25 minutes after the flooding began (10 allowed); the lift case went out in 3 (5 allowed).
        Assert.Equal([("switch-to-III", false, TimeSpan.FromMinutes(25)), ("dispatch-lift", true, TimeSpan.FromMinutes(3))],
            report.Expected.Select(e => (e.Id, e.Met, e.Delay!.Value)));
        // Normal thresholds (yellow 15, orange 25) until the switch at 00:35, emergency ones (red 30) after.
        var alarms = report.Timeline.Where(e => e.Kind == "alarm" && e.Reference == "WL-00100").Select(e => (e.At, e.What)).ToList();
        Assert.Equal([
            (TimeSpan.FromMinutes(20), "WL-00100 None → Yellow (18)"),
            (TimeSpan.FromMinutes(30), "WL-00100 Yellow → Orange (32)"),
            (TimeSpan.FromMinutes(35), "WL-00100 Orange → Red (32)"),
        ], alarms.Take(3));
        var switched = Assert.Single(report.ModeSwitches);
        Assert.Equal((EmergencyKind.Flood, ResponseLevel.III), (switched.To.Kind!.Value, switched.To.Level!.Value));
        Assert.Equal(3, report.Cases.Count);
        Assert.Equal(TimeSpan.FromMinutes(3), report.Cases.Single(c => c.Inject == "lift-trapped").DispatchedAfter);
        Assert.Equal(121, report.Indices.Count);
        Assert.Contains(report.Indices, s => s.CaseHandling < 100);

        // Every CAP alert of a drill is an exercise, names the drill, and meets CAP 1.2.
        Assert.NotEmpty(report.CapAlerts);
        foreach (var alert in report.CapAlerts.Select(XDocument.Parse))
        {
            Assert.Empty(CapSpecification.Problems(alert));
            Assert.Equal("Exercise", alert.Root!.Element(Cap + "status")!.Value);
            Assert.Contains(report.Name, alert.Root.Element(Cap + "note")!.Value);
        }

        var folder = Path.Combine(Path.GetTempPath(), "cityops-drill-tests", Guid.NewGuid().ToString("N"));
        await DrillReportWriter.WriteAsync(report, folder);
        var html = await File.ReadAllTextAsync(Path.Combine(folder, "report.html"));
        foreach (var section in new[] { "EXERCISE · 演练", "Expected actions", "Mode switches", "Case response and closure", "Indices over time", "<svg", "Timeline", "CAP alerts" })
        {
            Assert.Contains(section, html);
        }
        Assert.Equal(report.Expected.Count, System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "report.json"))).RootElement.GetProperty("expected").GetArrayLength());
    }

    [Fact]
    public async Task A_drill_leaves_the_live_twin_exactly_as_it_was()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        await silo.CreateTwinClientAsync();
        await silo.WhenCityFiledAsync();
        var live = silo.Services.GetRequiredService<IClusterClient>();
        // Every device of the city, the mode and its audit, and the cases the drill opens in its copy.
        async Task<List<string>> LiveStateAsync()
        {
            var state = new List<string>
            {
                $"{await live.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetMode()}",
                $"{(await live.GetGrain<ICityModeGrain>(ICityModeGrain.CityKey).GetHistory()).Count}",
                $"{await live.GetGrain<Contracts.Cases.ICaseGrain>("D-hotline-call").Get()}",
            };
            foreach (var sensor in Demo.Value.Sensors.Keys)
            {
                var s = (await live.GetGrain<ISensorGrain>(sensor).GetSnapshot())!;
                state.Add($"{sensor} {s.Value} {s.Level} {s.Episodes} {s.Recent.Count} {s.OpenCaseId}");
            }
            foreach (var elevator in Demo.Value.Elevators.Keys)
            {
                var e = (await live.GetGrain<IElevatorGrain>(elevator).GetSnapshot())!;
                state.Add($"{elevator} {e.Status} {e.TrappedEpisodes} {e.OpenCaseId}");
            }
            foreach (var camera in Demo.Value.Cameras.Keys)
            {
                var c = (await live.GetGrain<ICameraGrain>(camera).GetSnapshot())!;
                state.Add($"{camera} {c.Online} {c.RecentDetections.Count}");
            }
            return state;
        }
        var before = await LiveStateAsync();

        await RunSampleAsync();

        Assert.Equal(before, await LiveStateAsync());
    }

    [Fact]
    public async Task Every_kind_of_inject_acts_on_the_drills_copy_of_the_city()
    {
        const string Yaml = """
            name: 各类注入 Every inject
            start: 2021-07-25T08:00:00+08:00
            duration: 30m
            injects:
              - { id: rain, at: 1m, kind: sensor-series, device: RF-00001, values: [ { after: 0m, value: 85 } ] }
              - { id: lift, at: 2m, kind: elevator-trapped, device: ELV-00003 }
              - { id: call, at: 3m, kind: hotline-case, category: '0801', lon: 121.5847, lat: 31.2025, text: 市民来电 }
              - { id: tree, at: 4m, kind: camera-detection, device: CAM-00004, detection: FallenTree, confidence: 0.93 }
              - { id: blackout, at: 5m, kind: power-cut, grid: GRID }
              - { id: closure, at: 6m, kind: road-closure, category: '0501', lon: 121.5847, lat: 31.2025, text: 道路塌陷封闭 }
            """;
        var grid = Demo.Value.Cameras["CAM-00009"].GridCode;
        var scenario = DrillScenarioReader.Read(new StringReader(Yaml.Replace("GRID", grid)), "every-inject.yaml", Demo.Value);
        await using var run = await DrillRun.CreateAsync(Demo.Value, CaseCategoryCatalogue.Default, SensorRulebook.Default, new SwitchoverOptions(), scenario.Start);
        var report = await run.RunAsync(scenario, speed: 0);

        Assert.Equal(AlarmLevel.Red, (await run.Client.GetGrain<ISensorGrain>("RF-00001").GetSnapshot())!.Level);
        Assert.Equal(ElevatorStatus.Trapped, (await run.Client.GetGrain<IElevatorGrain>("ELV-00003").GetSnapshot())!.Status);
        foreach (var camera in Demo.Value.Cameras.Values.Where(c => c.GridCode == grid))
        {
            Assert.False((await run.Client.GetGrain<ICameraGrain>(camera.CameraId).GetSnapshot())!.Online, $"{camera.CameraId} is still online after the power cut");
        }
        var sources = new Dictionary<string, Contracts.Cases.CaseSource>();
        foreach (var drillCase in report.Cases)
        {
            sources[drillCase.Inject ?? drillCase.CaseId] = (await run.Client.GetGrain<Contracts.Cases.ICaseGrain>(drillCase.CaseId).Get())!.Source;
        }
        Assert.Equal(Contracts.Cases.CaseSource.Elevator, sources["lift"]);
        Assert.Equal(Contracts.Cases.CaseSource.Hotline12345, sources["call"]);
        Assert.Equal(Contracts.Cases.CaseSource.CameraAi, sources["tree"]);
        Assert.Equal(Contracts.Cases.CaseSource.Police110, sources["closure"]);
        Assert.Equal(["rain", "lift", "call", "tree", "blackout", "closure"],
            report.Timeline.Where(e => e.Kind == "inject").Select(e => e.Reference));
    }

    [Theory]
    [InlineData(new string[0], "usage: drill")]
    [InlineData(new[] { "no-such-scenario.yaml" }, "no scenario file at")]
    [InlineData(new[] { "SAMPLE", "--speed", "1000" }, "'--speed 1000' is not understood")]
    [InlineData(new[] { "SAMPLE", "--fast" }, "'--fast ' is not understood")]
    public async Task The_drill_command_refuses_bad_arguments_with_its_usage(string[] args, string message)
    {
        var error = new StringWriter();
        var code = await DrillCommand.RunAsync([.. args.Select(a => a == "SAMPLE" ? SampleScenario : a)], TextWriter.Null, error);

        Assert.Equal(2, code);
        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public async Task The_drill_command_runs_a_scenario_headless_and_writes_the_report()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cityops-drill-tests", Guid.NewGuid().ToString("N"));
        var output = new StringWriter();

        var code = await DrillCommand.RunAsync([LateSwitchScenario, "--speed", "0", "--report", folder], output, TextWriter.Null);

        Assert.Equal(0, code);
        Assert.Contains("MISSED switch-to-III", output.ToString());
        Assert.Contains("met    dispatch-lift", output.ToString());
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));
        Assert.True(File.Exists(Path.Combine(folder, "report.json")));
    }

    [Fact]
    public async Task The_drill_desk_can_be_disposed_twice_as_the_host_does()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        await silo.CreateTwinClientAsync();
        var desk = silo.Services.GetRequiredService<DrillDesk>();

        await desk.DisposeAsync();
        await desk.DisposeAsync();

        Assert.Same(desk, silo.Services.GetRequiredService<Contracts.Drills.IDrillDesk>());
    }

    [Fact]
    public async Task The_drill_desk_refuses_an_unknown_scenario_a_second_drill_and_bad_hand_injects_saying_why()
    {
        await using var silo = new SiloFactory(("data", SiloFactory.NewDataFolder()), ("storage", "memory"));
        await silo.CreateTwinClientAsync();
        var desk = silo.Services.GetRequiredService<Contracts.Drills.IDrillDesk>();
        Assert.Contains("rainstorm-drill.yaml", desk.Scenarios);
        // The built-in typhoon drill is offered: its tide series is found beside the project (../shared), wherever the silo runs from.
        Assert.Contains(TyphoonTideScenario.Name, desk.Scenarios);

        var unknown = await Assert.ThrowsAsync<InvalidOperationException>(() => desk.StartAsync("no-such-drill.yaml", 600));
        Assert.Contains("There is no scenario 'no-such-drill.yaml'", unknown.Message);
        var notRunning = await Assert.ThrowsAsync<InvalidOperationException>(() => desk.InjectAsync(new("elevator-trapped", "ELV-00001"), "导调员"));
        Assert.Contains("No drill is running", notRunning.Message);

        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        desk.Changed += () =>
        {
            if (desk.Current is { Preparing: false, Finished: false })
            {
                running.TrySetResult();
            }
        };
        await desk.StartAsync("rainstorm-drill.yaml", 1);
        var second = await Assert.ThrowsAsync<InvalidOperationException>(() => desk.StartAsync("rainstorm-drill.yaml", 1));
        Assert.Contains("is still running; one drill runs at a time", second.Message);
        await running.Task.WaitAsync(TimeSpan.FromMinutes(1));

        foreach (var (inject, problem) in new[]
        {
            (new Contracts.Drills.HandInject("elevator-trapped", "ELV-99999"), "'ELV-99999' is not an elevator of the city"),
            (new Contracts.Drills.HandInject("elevator-trapped"), "The elevator-trapped inject needs the device: an elevator"),
            (new Contracts.Drills.HandInject("sensor-reading", "WL-00001"), "The sensor-reading inject needs the reading as a finite number"),
            (new Contracts.Drills.HandInject("sensor-reading", "WL-00001", double.NaN), "needs the reading as a finite number"),
            (new Contracts.Drills.HandInject("sensor-reading", "ELV-00001", 12), "'ELV-00001' is not a sensor of the city"),
            (new Contracts.Drills.HandInject("sensor-series", "WL-00001"), "The sensor-series inject needs its readings, one a drill minute"),
            (new Contracts.Drills.HandInject("sensor-series", "WL-00001", Values: [12, double.PositiveInfinity, 30]), "needs reading 2 of 3 as a finite number"),
            (new Contracts.Drills.HandInject("hotline-case", Text: "积水"), "The hotline-case inject needs its place: lat and long"),
            (new Contracts.Drills.HandInject("hotline-case", Lon: 116.39, Lat: 39.9, Text: "北京"), "lat 39.9, long 116.39 is in no grid of the city"),
            (new Contracts.Drills.HandInject("road-closure", Lon: 121.5847, Lat: 31.2025), "The road-closure inject needs the text"),
            (new Contracts.Drills.HandInject("road-closure", Lon: 121.5847, Lat: 31.2025, Text: "封路", Category: "9999"), "'9999' is not a case category"),
            (new Contracts.Drills.HandInject("power-cut", Grid: "310115"), "A power-cut inject needs a grid of the city ('310115' is not one)"),
            (new Contracts.Drills.HandInject("meteor", "WL-00001", 1), "'meteor' is not a hand inject; the kinds are elevator-trapped, sensor-reading, sensor-series"),
        })
        {
            var refused = await Assert.ThrowsAsync<ArgumentException>(() => desk.InjectAsync(inject, "导调员"));
            Assert.Contains(problem, refused.Message);
        }
        Assert.DoesNotContain(desk.Current!.Recent, line => line.What.Contains("ELV-99999"));
    }

    [Fact]
    public async Task A_case_opened_by_a_sensor_alarm_an_inject_drove_belongs_to_the_inject_and_its_dispatch_is_met()
    {
        // As seen: a gas series opened S-GS-00101-0001, the player dispatched it, and the report said "the inject opened no case".
        const string yaml = """
            name: 有害气体泄漏 Gas leak
            start: 2021-07-25T08:00:00+08:00
            duration: 40m
            injects:
              - id: gas-leak
                at: 20m
                kind: sensor-series
                device: GS-00101
                values:
                  - { after: 0m, value: 2 }
                  - { after: 2m, value: 30 }
            expected:
              - { id: dispatch-gas, action: dispatch, inject: gas-leak, within: 5m }
            players:
              - { at: 25m, action: dispatch, inject: gas-leak, by: 值班员, team: 燃气抢修队 }
            """;
        var scenario = DrillScenarioReader.Read(new StringReader(yaml), "gas.yaml", Demo.Value);
        await using var run = await DrillRun.CreateAsync(Demo.Value, CaseCategoryCatalogue.Default, SensorRulebook.Default, new SwitchoverOptions(), scenario.Start);

        var report = await run.RunAsync(scenario, speed: 0);

        var gas = Assert.Single(report.Cases);
        Assert.Equal("S-GS-00101-0001", gas.CaseId);
        Assert.Equal("gas-leak", gas.Inject);
        var expected = Assert.Single(report.Expected);
        Assert.True(expected.Met, expected.Detail);
        Assert.Equal("值班员", expected.By);
        Assert.Equal(TimeSpan.FromMinutes(3), expected.Delay);
        Assert.DoesNotContain(report.Timeline, e => e.What.Contains("nothing to dispatch", StringComparison.Ordinal));
        // Each status once in the timeline, with who took it; going overdue is its own line, not a repeated status.
        Assert.Single(report.Timeline, e => e.Kind == "case" && e.What.Contains("S-GS-00101-0001 Reported", StringComparison.Ordinal));
        Assert.Single(report.Timeline, e => e.Kind == "case" && e.What.StartsWith("值班员: S-GS-00101-0001 Dispatched", StringComparison.Ordinal));
    }

    [Fact]
    public void The_built_in_scenario_needs_the_tide_series_and_refuses_a_broken_one_naming_the_line()
    {
        var missing = Assert.Throws<DrillScenarioException>(() => TyphoonTideScenario.Build(Demo.Value, "/no/such/wusong.txt"));
        Assert.Contains("needs the Wusong tide series, which is not shipped", missing.Message);

        var broken = Path.Combine(Path.GetTempPath(), "cityops-drill-tests", $"{Guid.NewGuid():N}.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(broken)!);
        File.WriteAllLines(broken, ["2023-09-01 00:00:00\t4.58\tNone\tNone", "2023-09-01 01:00:00\tNone\tNone\tNone", "yesterday\thigh"]);
        var refused = Assert.Throws<DrillScenarioException>(() => TyphoonTideScenario.Build(Demo.Value, broken));
        Assert.Contains($"{Path.GetFileName(broken)} line 3", refused.Message);
        Assert.Contains("'yesterday\thigh'", refused.Message);
    }
}
