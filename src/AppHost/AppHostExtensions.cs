using System.Text.Json.Serialization;
using CrmPlatform.AppHost.Model;
using CrmPlatform.AppHost.Orchestration;
using CrmPlatform.AppHost.Output;

namespace CrmPlatform.AppHost;

public static class AppHostExtensions
{
    /// <summary>Makes this web app the AppHost: the resource model to declare, and the orchestrator that runs it.</summary>
    public static PlatformModel AddAppHost(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(AppHostOptions.Section).Get<AppHostOptions>() ?? new AppHostOptions();
        var model = new PlatformModel(options);
        builder.Services.AddSingleton(model);
        builder.Services.AddHostedService<Orchestrator>();

        // The console lifetime turns Ctrl+C and SIGTERM into a graceful shutdown, which stops the resources in order;
        // each may take 10 to 20 s, more than the default 30 s allows in total.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);

        builder.Logging.ClearProviders()
            .AddConsole(console => console.FormatterName = AppHostConsoleFormatter.FormatterName)
            .AddConsoleFormatter<AppHostConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>()
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.WebHost.UseUrls(options.DashboardUrl);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return model;
    }

    /// <summary><c>GET /api/resources</c>: every resource's state, health, URLs, restarts and pid, secrets masked.</summary>
    public static WebApplication MapResourcesApi(this WebApplication app)
    {
        app.MapGet("/api/resources", (PlatformModel model) => model.Resources.Select(ResourceSnapshot.From));
        return app;
    }
}
