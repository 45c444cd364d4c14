using CrmPlatform.Marketing;
using CrmPlatform.Marketing.Apis;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
// After routing (implicit, first) so CORS sees each form's endpoint; before the limiter so preflights are not counted.
app.UseCors();
app.UseRateLimiter();
app.MapContactabilityApi();
app.MapSegmentsApi();
app.MapAuditApi();
app.MapFormsApi();
app.MapPublicFormsApi();
app.MapTemplatesApi();
app.MapCampaignsApi();
app.MapSuppressionsApi();
app.MapPublicCampaignsApi();
app.MapJourneysApi();
app.MapAttributionApi();

await app.RunAsync();
