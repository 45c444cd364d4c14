namespace CrmPlatform.Contacts.Imports;

public static class ImportServices
{
    public static void AddImports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ImportFiles>();
        builder.Services.AddSingleton<ImportSignal>();
        builder.Services.AddScoped<PersonImporter>();
        builder.Services.AddHostedService<ImportWorker>();
    }
}
