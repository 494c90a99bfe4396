using CityOps.Twin.Runtime.Streams;

namespace CityOps.Twin.Runtime;

/// <summary>Hands out grain references. No I/O: the grain is activated by its first call.</summary>
public interface IGrainFactory
{
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey;
}

/// <summary>What code outside grains (the HTTP API, the twin view) uses: grains and streams.</summary>
public interface IClusterClient : IGrainFactory
{
    IStreamProvider GetStreamProvider(string name);
}
