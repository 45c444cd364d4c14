using CrmPlatform.Service.Sla.Calendars;
using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.Service.Sla.Entitlements;
using CrmPlatform.Service.Sla.Policies;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CrmPlatform.Service.Sla;

public static class SlaExtensions
{
    /// <summary>The SLA engine: clocks for tickets to call, the sweep, and the no-op escalation tickets may replace.</summary>
    public static void AddSla(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SlaClocks>();
        builder.Services.TryAddScoped<ISlaEscalation, NoEscalation>();
        builder.Services.AddSingleton<SlaSweep>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SlaSweep>());
    }

    public static void MapSlaApis(this IEndpointRouteBuilder app)
    {
        app.MapBusinessCalendarsApi();
        app.MapSlaPoliciesApi();
        app.MapServiceContractsApi();
    }
}
