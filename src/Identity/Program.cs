using CrmPlatform.Identity;
using CrmPlatform.Identity.Apis;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.MapDiscoveryApi();
app.MapTokenApi();

await app.RunAsync();
