using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.Sales.Activities;
using CrmPlatform.Sales.Apis;
using CrmPlatform.Sales.Assignment;
using CrmPlatform.Sales.Catalog;
using CrmPlatform.Sales.Leads;
using CrmPlatform.Sales.Leads.Imports;
using CrmPlatform.Sales.Decisions;
using CrmPlatform.Sales.Forecast;
using CrmPlatform.Sales.Quotes;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales;
using CrmPlatform.Sales.Pipelines;
using CrmPlatform.Sales.Leads.Conversion;
using CrmPlatform.Sales.Scoring;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.UseIdempotentPosts<SalesDbContext>();
app.MapOpportunitiesApi();
app.MapProductsApi();
app.MapPriceBooksApi();
app.MapQuotesApi();
app.MapOpportunityStagesApi();
app.MapPipelinesApi();
app.MapActivitiesApi();
app.MapTasksApi();
app.MapTimelineApi();
app.MapLeadsApi();
app.MapLeadMatchesApi();
app.MapLeadImportsApi();
app.MapLeadConversionApi();
app.MapAssignmentRulesApi();
app.MapLeadScoringApi();
app.MapDecisionsApi();
app.MapDecisionReportsApi();
app.MapForecastApi();
app.MapQuotasApi();
app.MapAuditApi();

await app.RunAsync();
