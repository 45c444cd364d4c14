using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CrmPlatform.Contacts.Imports;

public static class ImportServices
{
    public static void AddImports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ImportFiles>();
        builder.Services.AddSingleton<ImportSignal>();
        builder.Services.AddScoped<PersonImporter>();
        // Replaced by the scoring duplicate detector once it is registered before this line.
        builder.Services.TryAddScoped<IImportDuplicateCheck, ExactMatchesOnly>();
        builder.Services.AddHostedService<ImportWorker>();
    }
}
