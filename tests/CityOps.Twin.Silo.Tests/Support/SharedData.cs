namespace CityOps.Twin.Silo.Tests.Support;

/// <summary>The real data in ../shared/data beside the project's root (each folder's README gives source and licence).</summary>
public static class SharedData
{
    public static string Path(params string[] parts)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = System.IO.Path.Combine(folder.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return System.IO.Path.Combine([candidate, .. parts]);
            }
        }
        throw new DirectoryNotFoundException($"No shared/data folder above {AppContext.BaseDirectory}.");
    }
}
