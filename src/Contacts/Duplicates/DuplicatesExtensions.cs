using CrmPlatform.Contacts.Merging;

namespace CrmPlatform.Contacts.Duplicates;

internal static class DuplicatesExtensions
{
    /// <summary>The scan in the background, its trigger, and the options of both features.</summary>
    public static void AddDuplicatesAndMerges(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<DuplicateScanOptions>(builder.Configuration.GetSection(DuplicateScanOptions.Section));
        builder.Services.Configure<MergeOptions>(builder.Configuration.GetSection(MergeOptions.Section));
        builder.Services.AddSingleton<DuplicateScanRequests>();
        builder.Services.AddHostedService<DuplicateScan>();
    }
}
