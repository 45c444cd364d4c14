namespace CrmPlatform.AppHost.Dashboard;

/// <summary>The Blazor dashboard: resources, console logs, structured logs, traces and metrics.</summary>
public static class DashboardExtensions
{
    public static void AddDashboard(this WebApplicationBuilder builder)
    {
    }

    public static void MapDashboard(this WebApplication app, AppHostOptions options)
    {
    }
}
