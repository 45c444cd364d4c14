using CrmPlatform.AppHost;
using CrmPlatform.AppHost.Postgres;
using CrmPlatform.AppHost.RabbitMq;

var builder = DistributedApplication.CreateBuilder(args);
var state = builder.AddStateFolder();
var gatewayPort = int.Parse(builder.Configuration["AppHost:GatewayPort"] ?? "8080");
var gatewayUrl = $"http://localhost:{gatewayPort}";

var postgres = builder.AddPostgresServer("postgres", state);
var identityDb = postgres.AddDatabase("identitydb", owner: "identity");
var contactsDb = postgres.AddDatabase("contactsdb", owner: "contacts");
var salesDb = postgres.AddDatabase("salesdb", owner: "sales");
var marketingDb = postgres.AddDatabase("marketingdb", owner: "marketing");
var serviceDb = postgres.AddDatabase("servicedb", owner: "service");
var integrationsDb = postgres.AddDatabase("integrationsdb", owner: "integrations");

var messaging = builder.AddRabbitMqServer("messaging", state).WithErrorQueueReplay();
var mail = builder.AddMailSink("mail");

var identity = builder.AddService<Projects.Identity>("identity")
    .WithReference(identityDb).WaitFor(identityDb)
    .WithReference(messaging).WaitFor(messaging)
    .WithEnvironment("Identity__Issuer", gatewayUrl)
    .WithEnvironment("Identity__Bootstrap__ClientId", "crm-admin")
    .WithEnvironment("Identity__Bootstrap__ClientSecret", builder.AddGeneratedSecret(state, "bootstrap-client-secret"));

// The services check tokens against Identity's keys when a request comes, so they start beside it, not after it.
var contacts = builder.AddService<Projects.Contacts>("contacts")
    .WithReference(contactsDb).WaitFor(contactsDb)
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(identity)
    .WithEnvironment("ConnectionStrings__mail", mail.Resource.SmtpConnectionString()).WaitFor(mail)
    .WithEnvironment("DoubleOptIn__ConfirmationUrl", $"{gatewayUrl}/api/v1/consents/confirm");

var sales = builder.AddService<Projects.Sales>("sales")
    .WithReference(salesDb).WaitFor(salesDb)
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(identity);

var marketing = builder.AddService<Projects.Marketing>("marketing")
    // Mail systems' later bounce reports (DSNs) come to Marketing itself, to the campaigns' envelope senders
    // bounces+token@<bounce domain>; in production that domain's MX points at this endpoint (docs/architecture.md).
    .WithEndpoint(name: "bounces", scheme: "smtp", env: "Marketing__Bounces__Port", isProxied: false)
    .WithEnvironment("Marketing__Bounces__Domain", builder.Configuration["AppHost:BounceDomain"] ?? "bounces.localhost")
    .WithReference(marketingDb).WaitFor(marketingDb)
    // Web form tokens outlive a restart (see Service's key below).
    .WithEnvironment("Marketing__WebForms__TokenKey", SigningKey("marketing-web-form-token-key"))
    // Campaigns: sent to the mail sink; their unsubscribe and tracking links point at the gateway and stay valid across restarts.
    .WithEnvironment("ConnectionStrings__mail", mail.Resource.SmtpConnectionString()).WaitFor(mail)
    .WithEnvironment("Marketing__Campaigns__PublicBaseUrl", gatewayUrl)
    .WithEnvironment("Marketing__Campaigns__TokenKey", SigningKey("marketing-campaign-token-key"))
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(identity);

var service = builder.AddService<Projects.Service>("service")
    // Mail for the support addresses comes to the service itself (see docs/architecture.md, inbound mail).
    .WithEndpoint(name: "smtp", scheme: "smtp", env: "Service__Smtp__Port", isProxied: false)
    .WithReference(serviceDb).WaitFor(serviceDb)
    .WithEnvironment("ConnectionStrings__mail", mail.Resource.SmtpConnectionString()).WaitFor(mail)
    // Keys of the links and forms Service signs, kept across restarts (two secrets: base64 of 48 bytes).
    .WithEnvironment("Service__Csat__SigningKey", SigningKey("csat-signing-key"))
    .WithEnvironment("Service__WebForm__TokenKey", SigningKey("web-form-token-key"))
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(identity);

// Partners' webhooks: hears every service's events, keeps their endpoints and secrets apart from the domains. Local
// development receivers are on loopback over http, which production refuses (SSRF protection): allowed in Development
// unless AppHost:WebhooksAllowPrivateTargets says otherwise (set it to false wherever partners' URLs are real).
var webhooksAllowPrivateTargets = builder.Configuration["AppHost:WebhooksAllowPrivateTargets"]
    ?? (builder.Environment.EnvironmentName == "Development" ? "true" : "false");
var integrations = builder.AddService<Projects.Integrations>("integrations")
    .WithReference(integrationsDb).WaitFor(integrationsDb)
    .WithEnvironment("ConnectionStrings__mail", mail.Resource.SmtpConnectionString()).WaitFor(mail)
    .WithEnvironment("Integrations__Webhooks__AllowPrivateTargets", webhooksAllowPrivateTargets)
    .WithReference(messaging).WaitFor(messaging)
    // Partners' AMQP subscriptions: their broker users and permissions are provisioned through the management API.
    .WithEnvironment("Integrations__Amqp__ManagementUri", messaging.Resource.ManagementUri)
    .WithEnvironment("Integrations__Amqp__ManagementUser", RabbitMqServerResource.AdminUser)
    .WithEnvironment("Integrations__Amqp__ManagementPassword", messaging.Resource.AdminPassword)
    .WithReference(identity);

ReferenceExpression SigningKey(string name) =>
    ReferenceExpression.Create($"{builder.AddGeneratedSecret(state, $"{name}-1")}{builder.AddGeneratedSecret(state, $"{name}-2")}");

builder.AddService<Projects.Gateway>("gateway", port: gatewayPort)
    .WithReference(identity).WaitFor(identity)
    .WithReference(contacts).WaitFor(contacts)
    .WithReference(sales).WaitFor(sales)
    .WithReference(marketing).WaitFor(marketing)
    .WithReference(service).WaitFor(service)
    .WithReference(integrations).WaitFor(integrations)
    .WithExternalHttpEndpoints();

builder.Build().Run();
