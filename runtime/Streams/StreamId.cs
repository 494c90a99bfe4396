namespace CityOps.Twin.Runtime.Streams;

/// <summary>A stream's identity: a namespace ("sensor-alarms") and a key (a grid code).</summary>
public readonly record struct StreamId(string Namespace, string Key)
{
    public static StreamId Create(string streamNamespace, string key) => new(streamNamespace, key);

    public override string ToString() => $"{Namespace}/{Key}";
}
