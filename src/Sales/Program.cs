using CrmPlatform.Sales;
using CrmPlatform.Sales.Apis;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.MapOpportunitiesApi();

await app.RunAsync();
