using CrmPlatform.Identity;
using CrmPlatform.Identity.Apis;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.UseRateLimiter();
app.UseAntiforgery();

app.MapDiscoveryApi();
app.MapTokenApi();
app.MapAuthorizeApi();
app.MapLoginApi();
app.MapUsersApi();
app.MapUserTotpApi();
app.MapTeamsApi();
app.MapApiClientsApi();
app.MapTenantsApi();

await app.RunAsync();
