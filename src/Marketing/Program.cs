using CrmPlatform.Marketing;
using CrmPlatform.Marketing.Apis;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.MapContactabilityApi();
app.MapSegmentsApi();
app.MapAuditApi();

await app.RunAsync();
