using CrmPlatform.Integrations;
using CrmPlatform.Integrations.Apis;
using CrmPlatform.Integrations.Data;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.UseIdempotentPosts<IntegrationsDbContext>();
app.MapEventSubscriptionsApi();
app.MapAuditApi();

await app.RunAsync();
