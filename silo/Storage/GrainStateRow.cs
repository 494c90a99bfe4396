using System.Text;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace CityOps.Twin.Silo.Storage;

/// <summary>
/// The key of one state row, computed exactly as Orleans' ADO.NET grain storage computes it (its key split into
/// N0/N1/extension, its hashes from <see cref="OrleansDefaultHasher"/>), so our storage and Orleans' find the same row.
/// </summary>
internal sealed record GrainStateRow(
    string ServiceId, string StateName, int StateNameHash, int GrainIdHash, long GrainIdN0, long GrainIdN1, string? GrainIdExtension)
{
    private static readonly OrleansDefaultHasher Hasher = new();

    public static GrainStateRow Of(string serviceId, string stateName, GrainId grainId)
    {
        // Orleans' provider strips generic arguments from the name it is given ('`' marks them); a state name never
        // has any, and a name that did would land in a row the provider would not look in.
        if (stateName.Contains('`', StringComparison.Ordinal))
        {
            throw new ArgumentException($"State name '{stateName}' of {grainId} may not contain '`'.", nameof(stateName));
        }

        long n0 = 0, n1 = 0;
        string? extension;
        byte[] keyBytes;
        if (grainId.TryGetGuidKey(out var guid, out extension))
        {
            keyBytes = guid.ToByteArray();
            n0 = BitConverter.ToInt64(keyBytes, 0);
            n1 = BitConverter.ToInt64(keyBytes, 8);
        }
        else if (grainId.TryGetIntegerKey(out var integer, out extension))
        {
            n1 = integer;
            keyBytes = BitConverter.GetBytes(integer);
        }
        else
        {
            extension = grainId.Key.ToString();
            keyBytes = [];
        }

        var hashed = extension is null ? keyBytes : [.. keyBytes, .. Encoding.UTF8.GetBytes(extension)];
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(hashed);
        }
        return new GrainStateRow(serviceId, stateName, Hasher.Hash(Encoding.UTF8.GetBytes(stateName)), Hasher.Hash(hashed), n0, n1, extension);
    }
}
