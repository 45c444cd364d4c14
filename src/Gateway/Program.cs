using CrmPlatform.Gateway;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGateway();
builder.AddRateLimits();
builder.AddRejectedRequestProblems();

var app = builder.Build();

app.UseGatewayCors();
app.UseServiceDefaults();
app.UseRateLimits();
app.MapProxy();
app.MapApiDocs();
app.MapUnknownRoutes();

await app.RunAsync();
