using System.Text;
using CrmPlatform.Contracts.Catalogue;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Scalar.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace CrmPlatform.Gateway;

internal static class Extensions
{
    /// <summary>
    /// Which public path prefix goes to which service. The services' own addresses come from configuration. Only the
    /// OAuth endpoints and the double opt-in confirmation are open without a token; the gateway checks tokens too, and each service checks them again.
    /// </summary>
    /// <summary>Public web forms answer CORS themselves, per form (its allowed origins), not by the gateway's policy.</summary>
    private const string PublicFormsPrefix = "/api/v1/public/forms";

    private static readonly (string PathPrefix, string Service, bool Anonymous)[] Routes =
    [
        ("/connect", "identity", true),
        ("/.well-known", "identity", true),
        ("/login", "identity", true),
        ("/api/v1/users", "identity", false),
        ("/api/v1/teams", "identity", false),
        ("/api/v1/api-clients", "identity", false),
        ("/api/v1/tenants", "identity", false),
        ("/api/v1/people", "contacts", false),
        ("/api/v1/organizations", "contacts", false),
        ("/api/v1/custom-fields", "contacts", false),
        // The link in a double opt-in email: its token is the credential (Contacts limits attempts per address).
        ("/api/v1/consents/confirm", "contacts", true),
        ("/api/v1/gdpr", "contacts", false),
        ("/api/v1/duplicates", "contacts", false),
        ("/api/v1/merges", "contacts", false),
        ("/api/v1/imports", "contacts", false),
        ("/api/v1/contact-settings", "contacts", false),
        ("/api/v1/opportunities", "sales", false),
        ("/api/v1/products", "sales", false),
        ("/api/v1/price-books", "sales", false),
        ("/api/v1/quotes", "sales", false),
        ("/api/v1/pipelines", "sales", false),
        ("/api/v1/activities", "sales", false),
        ("/api/v1/tasks", "sales", false),
        ("/api/v1/timeline", "sales", false),
        ("/api/v1/leads", "sales", false),
        ("/api/v1/lead-imports", "sales", false),
        ("/api/v1/assignment-rules", "sales", false),
        ("/api/v1/lead-scoring", "sales", false),
        ("/api/v1/decisions", "sales", false),
        ("/api/v1/forecast", "sales", false),
        ("/api/v1/quotas", "sales", false),
        ("/api/v1/marketing", "marketing", false),
        ("/api/v1/segments", "marketing", false),
        ("/api/v1/forms", "marketing", false),
        ("/api/v1/email-templates", "marketing", false),
        ("/api/v1/campaigns", "marketing", false),
        ("/api/v1/suppressions", "marketing", false),
        ("/api/v1/journeys", "marketing", false),
        ("/api/v1/attribution", "marketing", false),
        // Marketing's web forms on tenants' own sites: the snippet, the token and the submissions, for visitors.
        (PublicFormsPrefix, "marketing", true),
        // Links in campaign emails (unsubscribe, open pixel, click redirect): their signed token is the credential.
        ("/api/v1/public/campaigns", "marketing", true),
        ("/api/v1/tickets", "service", false),
        ("/api/v1/support-groups", "service", false),
        ("/api/v1/support-addresses", "service", false),
        ("/api/v1/support-agents", "service", false),
        ("/api/v1/routing-rules", "service", false),
        ("/api/v1/sla-policies", "service", false),
        ("/api/v1/business-calendars", "service", false),
        ("/api/v1/service-contracts", "service", false),
        ("/api/v1/knowledge", "service", false),
        ("/api/v1/canned-responses", "service", false),
        ("/api/v1/csat", "service", false),
        // The public help centre: published articles and the support form, for visitors without an account.
        ("/api/v1/help-centre", "service", true),
        ("/api/v1/event-subscriptions", "integrations", false),
    ];

    /// <summary>Each service keeps the audit log of its own records; <c>/api/v1/audit?entityType=</c> goes to the owner.</summary>
    private static readonly (string EntityType, string Service)[] AuditLogs =
        [("person", "contacts"), ("organization", "contacts"), ("affiliation", "contacts"), ("personLink", "contacts"), ("customFieldDefinition", "contacts"), ("opportunity", "sales"), ("product", "sales"), ("priceBook", "sales"), ("quote", "sales"), ("pipeline", "sales"), ("activity", "sales"), ("salesTask", "sales"), ("lead", "sales"), ("assignmentRule", "sales"), ("scoringSettings", "sales"), ("buyingCentreMember", "sales"), ("decisionCriterion", "sales"), ("dealRisk", "sales"), ("customerCommitment", "sales"), ("dealDecision", "sales"), ("forecastCategoryOverride", "sales"), ("quota", "sales"), ("user", "identity"), ("team", "identity"), ("apiClient", "identity"), ("businessCalendar", "service"), ("slaPolicy", "service"), ("serviceContract", "service"), ("knowledgeArticle", "service"), ("knowledgeCategory", "service"), ("cannedResponse", "service"), ("ticket", "service"), ("supportGroup", "service"), ("agentProfile", "service"), ("routingRule", "service"), ("segment", "marketing"), ("emailTemplate", "marketing"), ("campaign", "marketing"), ("subscription", "integrations")];

    /// <summary>Services whose OpenAPI documents the docs UI at <c>/docs</c> shows, each proxied from its <c>/openapi/v1.json</c>.</summary>
    private static readonly (string Service, string Title)[] Documents = [("contacts", "Contacts"), ("sales", "Sales"), ("marketing", "Marketing"), ("service", "Service"), ("identity", "Identity"), ("integrations", "Integrations")];

    /// <summary>Services whose readiness the gateway's own <c>/health</c> reports, routed or not.</summary>
    private static readonly string[] Services = ["identity", "contacts", "sales", "marketing", "service", "integrations"];

    /// <summary>
    /// The gateway's CORS policy for everything but the public web forms: their preflights must reach Marketing, which
    /// knows each form's allowed origins (the gateway's own policy would answer them, without those origins).
    /// </summary>
    public static WebApplication UseGatewayCors(this WebApplication app)
    {
        app.UseWhen(context => !context.Request.Path.StartsWithSegments(PublicFormsPrefix), branch => branch.UseCors());
        return app;
    }

    public static void AddGateway(this IHostApplicationBuilder builder)
    {
        var routes = Routes.Select(route => new RouteConfig
        {
            RouteId = RouteIdOf(route.PathPrefix),
            ClusterId = route.Service,
            AuthorizationPolicy = route.Anonymous ? "anonymous" : null,
            Match = new RouteMatch { Path = route.PathPrefix + "/{**rest}" },
        }).Concat(Documents.Select(document => new RouteConfig
        {
            RouteId = $"openapi-{document.Service}",
            ClusterId = document.Service,
            AuthorizationPolicy = "anonymous",
            Match = new RouteMatch { Path = DocumentPath(document.Service) },
            Transforms = [new Dictionary<string, string> { ["PathSet"] = "/openapi/v1.json" }],
        })).Concat(AuditLogs.Select(audit => new RouteConfig
        {
            RouteId = $"audit-{audit.EntityType}",
            ClusterId = audit.Service,
            Match = new RouteMatch
            {
                Path = "/api/v1/audit",
                QueryParameters = [new RouteQueryParameter { Name = "entityType", Values = [audit.EntityType], Mode = QueryParameterMatchMode.Exact }],
            },
        })).Concat(AuditLogs.Select(audit => new RouteConfig
        {
            // The export goes to the service that keeps the entity's log: /api/v1/audit/export?entity=opportunity.
            RouteId = $"audit-export-{audit.EntityType}",
            ClusterId = audit.Service,
            Match = new RouteMatch
            {
                Path = "/api/v1/audit/export",
                QueryParameters = [new RouteQueryParameter { Name = "entity", Values = [audit.EntityType], Mode = QueryParameterMatchMode.Exact }],
            },
        })).ToList();

        var clusters = Routes.Select(r => r.Service).Concat(Documents.Select(d => d.Service)).Distinct().Select(service => new ClusterConfig
        {
            ClusterId = service,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [service] = new() { Address = ServiceAddress(builder.Configuration, service) },
            },
        }).ToList();

        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);

        // The gateway is the edge: what a client claims in X-Forwarded-* is not believed; YARP sets them for the services.
        builder.Services.PostConfigure<ForwardedHeadersOptions>(forwarded => forwarded.ForwardedHeaders = ForwardedHeaders.None);

        // Front-ends on other origins: only those configured (Cors:AllowedOrigins), none by default.
        var origins = builder.Configuration.GetSection("Cors:AllowedOrigins").Get<string[]>() ?? [];
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .AllowAnyMethod()
            .WithHeaders("Authorization", "Content-Type", "If-Match", "Idempotency-Key")
            .WithExposedHeaders("ETag", "Location", "X-Trace-Id", "Retry-After")
            .SetPreflightMaxAge(TimeSpan.FromHours(1))));

        builder.Services.AddHttpClient(DownstreamHealthCheck.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(3));
        var health = builder.Services.AddHealthChecks();
        foreach (var service in Services)
        {
            var address = ServiceAddress(builder.Configuration, service);
            health.Add(new(service, sp => ActivatorUtilities.CreateInstance<DownstreamHealthCheck>(sp, new Uri(new Uri(address), "/health")),
                failureStatus: null, tags: null));
        }
    }

    /// <summary>Where the event catalogue (AsyncAPI 3.0) is served, next to the OpenAPI documents.</summary>
    public const string EventCataloguePath = "/docs/asyncapi/events.json";

    /// <summary>
    /// Every service's API description and the event catalogue in one browsable UI (Scalar) at <c>/docs</c>. The
    /// catalogue is the gateway's own: generated from the contracts it is built with, the same text as
    /// <c>contract/asyncapi.json</c>.
    /// </summary>
    public static void MapApiDocs(this WebApplication app)
    {
        app.MapGet(EventCataloguePath, static () => TypedResults.Text(AsyncApiDocument.Json, "application/json", Encoding.UTF8))
            .AllowAnonymous()
            .ExcludeFromDescription();
        app.MapScalarApiReference("/docs", options =>
        {
            options.Title = "CRM Platform API";
            foreach (var (service, title) in Documents)
            {
                options.AddDocument(service, title, DocumentPath(service), isDefault: service == Documents[0].Service);
            }
            options.AddAsyncApiDocument("events", "Events (AsyncAPI)", EventCataloguePath);
        }).AllowAnonymous();
    }

    private static string DocumentPath(string service) => $"/docs/openapi/{service}.json";

    /// <summary>Everything the proxy does not route answers a 404 problem rather than an empty response.</summary>
    /// <summary>
    /// The proxy. An import's file is the one body allowed past the usual limit (<c>Limits:MaxImportBodyBytes</c>, 1 GiB,
    /// as Contacts' own), and a ticket attachment's (<c>Limits:MaxAttachmentBodyBytes</c>, 32 MiB); YARP streams them
    /// through, so the gateway never holds them.
    /// </summary>
    public static void MapProxy(this WebApplication app)
    {
        var importLimit = new RequestSizeLimitAttribute(app.Configuration.GetValue<long?>("Limits:MaxImportBodyBytes") ?? 1L << 30);
        var attachmentLimit = new RequestSizeLimitAttribute(app.Configuration.GetValue<long?>("Limits:MaxAttachmentBodyBytes") ?? 32L << 20);
        app.MapReverseProxy().ConfigureEndpoints((endpoint, route) =>
        {
            if (route.RouteId == RouteIdOf("/api/v1/imports"))
            {
                endpoint.WithMetadata(importLimit);
            }
            else if (route.RouteId == RouteIdOf("/api/v1/tickets"))
            {
                // Ticket attachments: Service holds each upload to its own limit (Service:Attachments:MaxBytes).
                endpoint.WithMetadata(attachmentLimit);
            }
        });
    }

    private static string RouteIdOf(string pathPrefix) => pathPrefix.TrimStart('/', '.').Replace('/', '-');

    public static void MapUnknownRoutes(this WebApplication app) =>
        app.MapFallback(static (HttpContext context) => Results.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Not found",
            detail: $"No API route matches '{context.Request.Method} {context.Request.Path}'."));

    /// <summary>Aspire's service-discovery convention: <c>services__{name}__http__0</c>.</summary>
    private static string ServiceAddress(IConfiguration configuration, string service) =>
        configuration[$"services:{service}:http:0"]
            ?? throw new InvalidOperationException($"The address of '{service}' is missing (services__{service}__http__0).");
}
