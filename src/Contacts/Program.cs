using CrmPlatform.Contacts.Apis;
using CrmPlatform.Contacts.Apis.DoubleOptIn;
using CrmPlatform.Contacts.Apis.Gdpr;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.UseIdempotentPosts<ContactsDbContext>();
app.UseRateLimiter();
app.MapPeopleApi();
app.MapOrganizationsApi();
app.MapConsentsApi();
app.MapDoubleOptInApi();
app.MapConfirmationApi();
app.MapAffiliationsApi();
app.MapPersonLinksApi();
app.MapCustomFieldsApi();
app.MapSearchApi();
app.MapExternalIdsApi();
app.MapGdprRequestsApi();
app.MapRetentionApi();
app.MapDuplicatesApi();
app.MapMergesApi();
app.MapAuditApi();
app.MapImportsApi();
app.MapExportsApi();

await app.RunAsync();
