namespace CityOps.Twin.Grains.Spatial;

/// <summary>A GeoJSON document that cannot be imported; the message names the file, the feature, the field and what is wrong.</summary>
public sealed class GeoJsonFormatException(string message) : Exception(message);
