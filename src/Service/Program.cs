using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.Service;
using CrmPlatform.Service.CannedResponses;
using CrmPlatform.Service.Csat;
using CrmPlatform.Service.Mail;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Sla;
using CrmPlatform.Service.Knowledge;
using CrmPlatform.Service.Mail.Inbound;
using CrmPlatform.Service.WebForm;
using CrmPlatform.Service.Routing;
using CrmPlatform.Service.Tickets;
using CrmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.UseIdempotentPosts<ServiceDbContext>();
app.UseRateLimiter();
app.MapTicketsApi();
app.MapTicketMessagesApi();
app.MapAttachmentsApi();
app.MapSupportGroupsApi();
app.MapSupportAgentsApi();
app.MapRoutingRulesApi();
app.MapAuditApi();
app.MapSlaApis();
app.MapArticlesApi();
app.MapCategoriesApi();
app.MapHelpCentreApi();
app.MapCannedResponsesApi();
app.MapCsatApi();
app.MapSupportAddressesApi();
app.MapWebFormApi();

await app.RunAsync();
