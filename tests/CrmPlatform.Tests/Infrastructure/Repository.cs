namespace CrmPlatform.Tests.Infrastructure;

/// <summary>This repository, found upwards from the tests' output folder, and how the tests were built.</summary>
public static class Repository
{
    private static readonly DirectoryInfo Output = new(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));

    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, from <c>bin/CONFIG/TFM/</c>: the app host runs the services built the same way.</summary>
    public static string Configuration { get; } = Output.Parent!.Name;

    private static string FindRoot()
    {
        for (var folder = Output; folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "CrmPlatform.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No CrmPlatform.sln above {AppContext.BaseDirectory}.");
    }
}
