using CrmPlatform.Identity;
using CrmPlatform.Identity.Apis;
using CrmPlatform.Identity.Data;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.UseIdempotentPosts<IdentityDbContext>();
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
app.MapAuditApi();

await app.RunAsync();
