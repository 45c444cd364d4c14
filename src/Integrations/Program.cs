using CrmPlatform.Integrations;
using CrmPlatform.Integrations.Apis;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.MapEventSubscriptionsApi();
app.MapAuditApi();

await app.RunAsync();
