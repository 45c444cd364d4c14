using CrmPlatform.Contacts;
using CrmPlatform.Contacts.Apis;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.UseIdempotentPosts<ContactsDbContext>();
app.UseRateLimiter();
app.MapContactsApis();

await app.RunAsync();
