using System.Net;
using System.Net.Sockets;

namespace CityOps.Twin.Bench;

/// <summary>Ports for the benchmarks' silos and databases, so that runs side by side (and the tests' silos) never collide.</summary>
internal static class LoopbackPort
{
    /// <summary>A loopback port free now; its user binds it a moment later (the usual way to get a free port).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
