using System.Diagnostics;
using System.Text.Json.Serialization;
using CrmPlatform.AppHost.Dashboard;
using CrmPlatform.AppHost.Mail;
using CrmPlatform.AppHost.Messaging;
using CrmPlatform.AppHost.Model;
using CrmPlatform.AppHost.Orchestration;
using CrmPlatform.AppHost.Output;
using CrmPlatform.AppHost.Telemetry;

namespace CrmPlatform.AppHost;

public static class AppHostExtensions
{
    /// <summary>Makes this web app the AppHost: the resource model to declare, and the orchestrator that runs it.</summary>
    public static PlatformModel AddAppHost(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(AppHostOptions.Section).Get<AppHostOptions>() ?? new AppHostOptions();
        var model = new PlatformModel(options);
        builder.Services.AddSingleton(model);
        builder.Services.AddSingleton<ResourceCommands>();
        builder.Services.AddSingleton<ErrorQueues>();
        builder.Services.AddSingleton<Orchestrator>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Orchestrator>());

        // The console lifetime turns Ctrl+C and SIGTERM into a graceful shutdown, which stops the resources in order;
        // each may take 10 to 20 s, more than the default 30 s allows in total.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);

        builder.Logging.ClearProviders()
            .AddConsole(console => console.FormatterName = AppHostConsoleFormatter.FormatterName)
            .AddConsoleFormatter<AppHostConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>()
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.ConfigureListeners(options);
        builder.Services.AddApiJson();
        builder.AddDashboardAuthentication(options);
        builder.AddTelemetry(options);
        builder.AddDashboard();
        return model;
    }

    /// <summary>The dashboard and its login, <c>/api/*</c> (token or cookie required), and the OTLP receivers.</summary>
    public static WebApplication MapAppHost(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<PlatformModel>().Options;
        app.MapDashboardLogin(options);
        var api = app.MapApi(options);
        api.MapResourcesApi();
        api.MapErrorQueuesApi();
        api.MapTelemetryApi();
        api.MapMailApi();
        app.MapOtlpReceivers(options);
        app.MapDashboard(options);
        app.PrintLoginUrl(options);
        return app;
    }

    /// <summary>Enums as their names in <c>/api/*</c> answers (and camelCase properties, the web default).</summary>
    /// <summary>Enums as names, and problem details that carry a <c>traceId</c> like the services' do.</summary>
    internal static void AddApiJson(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
    }

    /// <summary><c>/api</c>: on the dashboard's listener only, and only with the dashboard's token or cookie.</summary>
    internal static RouteGroupBuilder MapApi(this WebApplication app, AppHostOptions options) =>
        app.MapGroup("/api").RequireHost(Endpoints.HostOf(options.DashboardUrl)).RequireAuthorization(DashboardAuthentication.Policy);

    /// <summary>
    /// <c>GET /api/resources</c>: every resource's state, health, URLs, restarts and pid, secrets masked;
    /// <c>POST /api/resources/{name}/{stop|start|restart}</c>.
    /// </summary>
    private static void MapResourcesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/resources", (PlatformModel model) => model.Resources.Select(ResourceSnapshot.From));
        api.MapPost("/resources/{name}/{command}", async Task<IResult> (string name, string command, ResourceCommands commands, CancellationToken cancellationToken) =>
        {
            if (!Enum.TryParse<ResourceCommand>(command, ignoreCase: true, out var parsed) || int.TryParse(command, out _))
            {
                return TypedResults.Problem($"Unknown command '{command}': use stop, start or restart.", statusCode: StatusCodes.Status404NotFound);
            }

            try
            {
                await commands.ExecuteAsync(name, parsed, cancellationToken);
                return TypedResults.NoContent();
            }
            catch (KeyNotFoundException ex)
            {
                return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound);
            }
            catch (InvalidOperationException ex)
            {
                return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict);
            }
        }).DisableAntiforgery();
    }
}
