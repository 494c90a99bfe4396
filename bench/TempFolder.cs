namespace CityOps.Twin.Bench;

/// <summary>A folder under the temp path, deleted with everything in it when disposed.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("cityops-bench-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a process that is going: the temp folder's own cleaning takes it.
        }
    }
}
