namespace CityOps.Twin.Runtime;

/// <summary>Marker for every grain interface.</summary>
public interface IGrain
{
}

/// <summary>
/// A grain addressed by a string key (a grid code, a device id, a case number). Every interface that
/// extends this one gets a generated reference class, so <see cref="IGrainFactory.GetGrain{TGrain}"/> can
/// hand out a typed reference without any I/O.
/// </summary>
public interface IGrainWithStringKey : IGrain
{
}
