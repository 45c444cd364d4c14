using CrmPlatform.AppHost;

if (CommandLine.WantsHelp(args))
{
    CommandLine.PrintHelp();
    return;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = CommandLine.ExpandAliases(args),
    // Not the current directory: run from a service's folder, the AppHost would read that service's appsettings.json.
    ContentRootPath = AppContext.BaseDirectory,
});
var platform = builder.AddAppHost();

var postgres = platform.AddPostgres("postgres");
var contactsDb = postgres.AddDatabase("contactsdb", owner: "contacts");
var salesDb = postgres.AddDatabase("salesdb", owner: "sales");
var marketingDb = postgres.AddDatabase("marketingdb", owner: "marketing");
var serviceDb = postgres.AddDatabase("servicedb", owner: "service");
var identityDb = postgres.AddDatabase("identitydb", owner: "identity");

var messaging = platform.AddRabbitMq("messaging");
var mail = platform.AddMail("mail");

var identity = platform.AddProject("identity", "Identity").WithReference(identityDb).WithReference(messaging)
    .WithEnvironment("Identity__Issuer", $"http://localhost:{platform.Options.GatewayPort}")
    .WithEnvironment("Identity__Bootstrap__ClientId", builder.Configuration["Identity:Bootstrap:ClientId"] ?? "crm-admin")
    .WithSecret("Identity__Bootstrap__ClientSecret", "bootstrap-client-secret", builder.Configuration["Identity:Bootstrap:ClientSecret"]);

var contacts = platform.AddProject("contacts", "Contacts").WithReference(contactsDb).WithReference(messaging).WithReference(identity)
    .WithReference(mail)
    .WithEnvironment("DoubleOptIn__ConfirmationUrl", $"http://localhost:{platform.Options.GatewayPort}/api/v1/consents/confirm");
var sales = platform.AddProject("sales", "Sales").WithReference(salesDb).WithReference(messaging).WithReference(identity);
var marketing = platform.AddProject("marketing", "Marketing").WithReference(marketingDb).WithReference(messaging).WithReference(identity);
var service = platform.AddProject("service", "Service").WithReference(serviceDb).WithReference(messaging).WithReference(identity);

platform.AddProject("gateway", "Gateway")
    .WithReference(identity).WithReference(contacts).WithReference(sales).WithReference(marketing).WithReference(service)
    .WithHttpEndpoint(port: platform.Options.GatewayPort)
    .WithExternalHttpEndpoints();

var app = builder.Build();
app.MapAppHost();
app.Run();
