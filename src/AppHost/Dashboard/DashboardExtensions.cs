using CrmPlatform.AppHost.Dashboard.Components;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Radzen;

namespace CrmPlatform.AppHost.Dashboard;

/// <summary>The Blazor dashboard: resources, console logs, structured logs, traces and metrics.</summary>
public static class DashboardExtensions
{
    public static void AddDashboard(this WebApplicationBuilder builder)
    {
        // The AppHost runs as `dotnet bin/.../CrmPlatform.AppHost.dll`, in Production, where the host does not read the
        // build's static web assets manifest by itself: without it _framework/blazor.web.js and Radzen's files are not
        // found and the pages are never interactive.
        builder.WebHost.UseStaticWebAssets();
        // With the build's manifest, MapStaticAssets would also add a catch-all endpoint serving any file of the web root,
        // which carries no host requirement and so answered on the OTLP listeners too. Everything the pages use is in
        // the manifest.
        builder.Configuration["DisableStaticAssetNotFoundRuntimeFallback"] = "true";
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRadzenComponents();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServiceColors>();
    }

    public static void MapDashboard(this WebApplication app, AppHostOptions options)
    {
        var dashboardHost = Endpoints.HostOf(options.DashboardUrl);
        // After authentication (added by WebApplication ahead of this), before the endpoints: Blazor's forms need it.
        app.UseAntiforgery();
        app.MapStaticAssets().RequireHost(dashboardHost);
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode()
            .RequireHost(dashboardHost)
            .RequireAuthorization(DashboardAuthentication.Policy);
    }
}
