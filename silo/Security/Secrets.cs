using System.Security.Cryptography;
using System.Text;

namespace CityOps.Twin.Silo.Security;

/// <summary>
/// Password hashes (PBKDF2-HMAC-SHA256, a random salt per password, the work factor stored with the hash so it
/// can be raised later), API key secrets (random, stored as their SHA-256: a key has 256 bits of entropy, so a
/// fast hash is enough and a request's key is found by its hash) and generated passwords.
/// </summary>
public static class Secrets
{
    /// <summary>About 60 ms a sign-in on the reference machine.</summary>
    public const int Iterations = 100_000;

    private const string Scheme = "pbkdf2-sha256";

    public static string HashPassword(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool VerifyPassword(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var iterations) || iterations < 1)
        {
            return false;
        }
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>A password of 20 characters from an alphabet without look-alikes (about 115 bits).</summary>
    public static string GeneratePassword() => RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);

    /// <summary>An API key's secret: "twk_" and 43 URL-safe characters (256 bits).</summary>
    public static string GenerateKey() => "twk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string HashKey(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
