namespace CityOps.Twin.Silo.Tests.Support;

/// <summary>One span as an OTLP export carries it, with its ids in lower-case hex (empty parent: a root span).</summary>
public sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope)
{
    /// <summary>OTLP's SpanKind: 2 is SERVER (an HTTP request served, a grain call received), 3 CLIENT.</summary>
    public const int Server = 2;

    public const int Client = 3;
}

/// <summary>
/// Reads the spans out of an OTLP ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1) by the protobuf
/// wire format, for only the fields the tests look at: resource_spans (1) → scope_spans (2) → scope (1).name (1) and
/// spans (2) → trace_id (1), span_id (2), parent_span_id (4), name (5), kind (6). Every other field is skipped by its
/// wire type.
/// </summary>
public static class OtlpSpans
{
    public static List<OtlpSpan> Read(byte[] export)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Fields(export).Where(f => f.Number == 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
            {
                var fields = Fields(scopeSpans.Bytes).ToList();
                var scope = fields.Where(f => f.Number == 1).Select(f => Text(Fields(f.Bytes).FirstOrDefault(s => s.Number == 1).Bytes)).FirstOrDefault() ?? "";
                foreach (var span in fields.Where(f => f.Number == 2))
                {
                    var values = Fields(span.Bytes).ToList();
                    byte[] Bytes(int number) => values.LastOrDefault(v => v.Number == number).Bytes ?? [];
                    spans.Add(new OtlpSpan(Convert.ToHexStringLower(Bytes(1)), Convert.ToHexStringLower(Bytes(2)), Convert.ToHexStringLower(Bytes(4)),
                        Text(Bytes(5)), (int)values.LastOrDefault(v => v.Number == 6).Value, scope));
                }
            }
        }
        return spans;
    }

    private static string Text(byte[]? bytes) => bytes is null ? "" : System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>A message's varint and length-delimited fields in order, each with its value or its bytes.</summary>
    private static IEnumerable<(int Number, ulong Value, byte[] Bytes)> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = Varint(message, ref position);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    yield return (number, Varint(message, ref position), []);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    if (length < 0 || position + length > message.Length)
                    {
                        throw new InvalidDataException($"Field {number} at byte {position} claims {length} bytes; the message has {message.Length - position} left.");
                    }
                    yield return (number, 0, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Field {number} at byte {position} has wire type {key & 7}, which OTLP does not use.");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= message.Length)
            {
                throw new InvalidDataException($"A varint runs past the end of the message ({message.Length} bytes).");
            }
            var next = message[position++];
            value |= (ulong)(next & 0x7F) << shift;
            if ((next & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException($"A varint longer than 10 bytes ends at byte {position}.");
    }
}
