using CrmPlatform.Persistence.Imports;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CrmPlatform.Contacts.Imports;

public static class ImportServices
{
    public static void AddImports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(services => new ImportFiles(services.GetRequiredService<IConfiguration>(), "crm-contacts-imports"));
        builder.Services.AddSingleton<ImportSignal>();
        builder.Services.AddScoped<PersonImporter>();
        // Another likely-duplicate check can replace this by registering itself first.
        builder.Services.TryAddScoped<IImportDuplicateCheck, LikelyDuplicatesByRules>();
        builder.Services.AddHostedService<ImportWorker>();
    }
}
