namespace CityOps.Twin.Silo.Security;

/// <summary>Security settings (configuration section "Security").</summary>
public sealed class SecurityOptions
{
    /// <summary>
    /// Serve over HTTPS only: HTTP requests are redirected, HSTS is sent, the sign-in cookie is marked Secure.
    /// Give Kestrel a certificate the usual way (Kestrel:Endpoints:Https:Url and :Certificate:Path/Password).
    /// </summary>
    public bool RequireHttps { get; set; }

    /// <summary>A signed-in session lasts this long without use (sliding).</summary>
    public TimeSpan SessionIdle { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Requests a body may carry at most, for every endpoint: a full ingestion batch of 10,000 readings is about 1 MB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Ingestion requests each API key may make per second, sustained.</summary>
    public int KeyRequestsPerSecond { get; set; } = 50;

    /// <summary>Requests an API key may make at once above its rate (the bucket's size).</summary>
    public int KeyBurst { get; set; } = 100;
}
