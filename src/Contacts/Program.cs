using CrmPlatform.Contacts.Apis;
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
app.MapPeopleApi();
app.MapOrganizationsApi();
app.MapConsentsApi();
app.MapAffiliationsApi();
app.MapPersonLinksApi();
app.MapCustomFieldsApi();
app.MapSearchApi();
app.MapExternalIdsApi();
app.MapAuditApi();
app.MapImportsApi();
app.MapExportsApi();

await app.RunAsync();
