using CrmPlatform.Gateway;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();

app.UseCors();
app.UseServiceDefaults();
app.MapReverseProxy();
app.MapUnknownRoutes();

await app.RunAsync();
