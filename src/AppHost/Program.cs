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

var messaging = platform.AddRabbitMq("messaging");

var contacts = platform.AddProject("contacts", "Contacts").WithReference(contactsDb).WithReference(messaging);
var sales = platform.AddProject("sales", "Sales").WithReference(salesDb).WithReference(messaging);
var marketing = platform.AddProject("marketing", "Marketing").WithReference(marketingDb).WithReference(messaging);
var service = platform.AddProject("service", "Service").WithReference(serviceDb).WithReference(messaging);

platform.AddProject("gateway", "Gateway")
    .WithReference(contacts).WithReference(sales).WithReference(marketing).WithReference(service)
    .WithHttpEndpoint(port: platform.Options.GatewayPort)
    .WithExternalHttpEndpoints();

var app = builder.Build();
app.MapResourcesApi();
app.Run();
