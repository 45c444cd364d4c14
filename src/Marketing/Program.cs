using CrmPlatform.Marketing;
using CrmPlatform.Marketing.Apis;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.MapContactabilityApi();

await app.RunAsync();
