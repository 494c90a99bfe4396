using System.Diagnostics;

namespace CityOps.Twin.Runtime;

/// <summary>The names under which the runtime reports: add these to an OpenTelemetry meter and tracer provider.</summary>
public static class RuntimeTelemetry
{
    public const string MeterName = "CityOps.Twin.Runtime";

    public const string ActivitySourceName = "CityOps.Twin.Runtime";

    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
