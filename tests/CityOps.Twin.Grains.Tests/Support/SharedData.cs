namespace CityOps.Twin.Grains.Tests.Support;

/// <summary>The real Shanghai data in ../shared/data beside the project's root (see each folder's README for source and licence).</summary>
public static class SharedData
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = System.IO.Path.Combine(folder.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"No shared/data folder above {AppContext.BaseDirectory}; the tests expect ../shared/data beside the project's root.");
    });

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root.Value, .. parts]);
}
