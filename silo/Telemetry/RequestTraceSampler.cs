using System.Diagnostics;
using OpenTelemetry.Trace;

namespace CityOps.Twin.Silo.Telemetry;

/// <summary>
/// Decides which traces start: an HTTP request served by the silo, one in <c>Telemetry:TraceSampleRatio</c> of them
/// (by trace id, so every silo keeps or drops the same traces). Everything under a kept request is kept with it
/// (<see cref="ParentBasedSampler"/>): the grain calls it makes, on any silo, their storage and database commands. Work
/// that no request started (filing the city, grain timers, the feed, membership and directory upkeep) starts no trace
/// unless <c>Telemetry:TraceBackgroundWork</c> is true: a silo filing the demo city alone made about 28,000 spans in
/// seconds, far more than the exporter's queue (2,048) holds, so spans are dropped, a request's among them.
/// </summary>
internal sealed class RequestTraceSampler(double ratio, bool background) : Sampler
{
    /// <summary>ASP.NET Core's activity for a request served, its name when sampling is decided.</summary>
    private const string HttpRequestIn = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        background || (samplingParameters.Kind == ActivityKind.Server && samplingParameters.Name == HttpRequestIn)
            ? _ratio.ShouldSample(samplingParameters)
            : new SamplingResult(SamplingDecision.Drop);
}
