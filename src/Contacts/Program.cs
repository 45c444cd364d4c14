using CrmPlatform.Contacts;
using CrmPlatform.Contacts.Apis;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.MapPeopleApi();
app.MapOrganizationsApi();

await app.RunAsync();
