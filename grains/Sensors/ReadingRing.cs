using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using CityOps.Twin.Contracts.Sensors;

namespace CityOps.Twin.Grains.Sensors;

/// <summary>
/// A sensor's most recent readings, oldest first, at most <see cref="Capacity"/>: a ring of (time, value) pairs in
/// two flat arrays. A reading added holds no object of its own, so a city of busy sensors leaves the garbage
/// collector nothing to trace, and the write-behind state is one base64 string of 16 bytes a reading, not a JSON
/// object a reading (serializing those was most of the cost of a reading at city scale, see the README).
/// </summary>
[JsonConverter(typeof(ReadingRingConverter))]
public sealed class ReadingRing
{
    // Grown by doubling until they hold Capacity readings: a sensor that has sent few readings holds little.
    // While they grow the ring has not wrapped (_start is 0), so growing is a copy.
    private long[] _ticks = [];
    private double[] _values = [];
    private int _start;

    public ReadingRing(int capacity = 96)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    /// <summary>Appends a reading (UTC), dropping the oldest when full.</summary>
    public void Add(DateTimeOffset measuredAt, double value)
    {
        if (Count == _ticks.Length && Count < Capacity)
        {
            var size = Math.Min(Capacity, Math.Max(4, Count * 2));
            Array.Resize(ref _ticks, size);
            Array.Resize(ref _values, size);
        }
        var slot = (_start + Count) % Capacity;
        _ticks[slot] = measuredAt.UtcTicks;
        _values[slot] = value;
        if (Count < Capacity)
        {
            Count++;
        }
        else
        {
            _start = (_start + 1) % Capacity;
        }
    }

    public DateTimeOffset TimeAt(int index) => new(_ticks[Slot(index)], TimeSpan.Zero);

    public double ValueAt(int index) => _values[Slot(index)];

    public List<SensorReading> ToReadings(string sensorId)
    {
        var readings = new List<SensorReading>(Count);
        for (var i = 0; i < Count; i++)
        {
            readings.Add(new SensorReading(sensorId, TimeAt(i), ValueAt(i)));
        }
        return readings;
    }

    private int Slot(int index) => (uint)index < (uint)Count ? (_start + index) % Capacity : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Oldest first: per reading its UTC ticks and value, little-endian, 16 bytes.</summary>
    internal byte[] Pack()
    {
        var bytes = new byte[Count * 16];
        for (var i = 0; i < Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 16), _ticks[Slot(i)]);
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 16 + 8), _values[Slot(i)]);
        }
        return bytes;
    }

    internal static ReadingRing Unpack(ReadOnlySpan<byte> bytes, int capacity)
    {
        if (bytes.Length % 16 != 0)
        {
            throw new JsonException($"Packed readings are {bytes.Length} bytes; they come in whole readings of 16 bytes.");
        }
        var ring = new ReadingRing(capacity);
        for (var i = 0; i < bytes.Length; i += 16)
        {
            ring.Add(new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(bytes[i..]), TimeSpan.Zero), BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i + 8)..]));
        }
        return ring;
    }
}

/// <summary>
/// Writes a <see cref="ReadingRing"/> as one base64 string. Reads that, or the list of reading objects that
/// states written before the ring held (so an older database still opens).
/// </summary>
internal sealed class ReadingRingConverter : JsonConverter<ReadingRing>
{
    public const int DefaultCapacity = 96;

    public override ReadingRing Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return ReadingRing.Unpack(reader.GetBytesFromBase64(), DefaultCapacity);
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"Recent readings must be a base64 string or an array of readings, not {reader.TokenType}.");
        }

        var ring = new ReadingRing(DefaultCapacity);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            DateTimeOffset? at = null;
            double? value = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                reader.Read();
                if (string.Equals(name, nameof(SensorReading.MeasuredAt), StringComparison.OrdinalIgnoreCase))
                {
                    at = reader.GetDateTimeOffset();
                }
                else if (string.Equals(name, nameof(SensorReading.Value), StringComparison.OrdinalIgnoreCase))
                {
                    value = reader.GetDouble();
                }
                else
                {
                    reader.Skip();
                }
            }
            ring.Add(at ?? throw new JsonException("A recent reading has no measuredAt."), value ?? throw new JsonException("A recent reading has no value."));
        }
        return ring;
    }

    public override void Write(Utf8JsonWriter writer, ReadingRing value, JsonSerializerOptions options) => writer.WriteBase64StringValue(value.Pack());
}
