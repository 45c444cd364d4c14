namespace CrmPlatform.AppHost;

/// <summary>Where this repository is and how the AppHost itself was built, which is how the services are expected to be built.</summary>
public static class Repository
{
    private static readonly DirectoryInfo OutputFolder = new(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
    private static readonly bool IsBuildOutput = OutputFolder.Parent?.Parent?.Name == "bin";
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding CrmPlatform.sln, found upwards from the AppHost's own output folder.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>Debug or Release: from the AppHost's output path, <c>bin/CONFIG/TFM/</c>.</summary>
    public static string Configuration { get; } = IsBuildOutput ? OutputFolder.Parent!.Name : "Debug";

    public static string TargetFramework { get; } = IsBuildOutput ? OutputFolder.Name : "net10.0";

    private static string FindRoot()
    {
        for (var folder = OutputFolder; folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "CrmPlatform.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No CrmPlatform.sln above {AppContext.BaseDirectory}: run the AppHost from its build output in the repository.");
    }
}
