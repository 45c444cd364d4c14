using CrmPlatform.Contacts.Data;
using CrmPlatform.Integrations.Data;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Data;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>
/// The domain services (and Integrations) of one test class: each with a database of its own, all on one RabbitMQ virtual host of
/// their own, so test classes running in parallel never see each other's events.
/// </summary>
public sealed class PlatformServices : IAsyncDisposable
{
    private PlatformServices(
        IdentityServer identity, string adminToken, ServiceFactory<ContactsDbContext> contacts, ServiceFactory<SalesDbContext> sales,
        ServiceFactory<MarketingDbContext> marketing, ServiceFactory<ServiceDbContext> service, ServiceFactory<IntegrationsDbContext> integrations)
    {
        Integrations = integrations;
        Identity = identity;
        AdminToken = adminToken;
        Contacts = contacts;
        Sales = sales;
        Marketing = marketing;
        Service = service;
    }

    public IdentityServer Identity { get; }

    /// <summary>A token of the bootstrap admin client: default tenant, role admin.</summary>
    public string AdminToken { get; }

    public ServiceFactory<ContactsDbContext> Contacts { get; }
    public ServiceFactory<SalesDbContext> Sales { get; }
    public ServiceFactory<MarketingDbContext> Marketing { get; private set; }

    /// <summary>Marketing's settings (its database among them), to start it again on the same data.</summary>
    public IReadOnlyDictionary<string, string> MarketingSettings { get; private set; } = new Dictionary<string, string>();

    /// <summary>Replacements of Marketing's registrations (a controllable clock), kept for a restart.</summary>
    public Action<IServiceCollection>? MarketingServices { get; private set; }

    /// <summary>
    /// Stops Marketing (as a host is stopped: its background work is cancelled) and starts a new instance on the same
    /// database and broker: a restart.
    /// </summary>
    public async Task RestartMarketingAsync()
    {
        await Marketing.DisposeAsync();
        Marketing = new(MarketingSettings, MarketingServices);
        _ = Marketing.Server;
    }
    public ServiceFactory<ServiceDbContext> Service { get; }

    /// <summary>
    /// Partners' event subscriptions, webhooks and AMQP queues (provisioned on the shared broker's management API);
    /// private (loopback, http) targets allowed, as in development.
    /// </summary>
    public ServiceFactory<IntegrationsDbContext> Integrations { get; }

    /// <param name="contactsSettings">Contacts' own further settings, such as its mail server.</param>
    /// <param name="serviceSettings">Service's own further settings, such as its mail server.</param>
    /// <param name="integrationsSettings">Integrations' own further settings (retry schedule, mail server).</param>
    /// <param name="marketingSettings">Marketing's own further settings, such as its mail server.</param>
    /// <param name="marketingServices">Replacements of Marketing's registrations, such as a controllable <see cref="TimeProvider"/>.</param>
    public static async Task<PlatformServices> StartAsync(string messagingUri, IReadOnlyDictionary<string, string>? contactsSettings = null,
        IReadOnlyDictionary<string, string>? serviceSettings = null, IReadOnlyDictionary<string, string>? integrationsSettings = null,
        IReadOnlyDictionary<string, string>? marketingSettings = null, Action<IServiceCollection>? marketingServices = null)
    {
        var servers = await TestServers.GetAsync();
        var identity = await IdentityServer.StartAsync(messagingUri);
        async Task<Dictionary<string, string>> Settings(string database) => new()
        {
            [$"ConnectionStrings:{database}"] = await servers.CreateDatabaseAsync(database),
            ["ConnectionStrings:messaging"] = messagingUri,
            ["services:identity:http:0"] = identity.Address,
        };

        var marketing = Overlaid(await Settings("marketingdb"), marketingSettings);
        var platform = new PlatformServices(
            identity, await identity.AdminTokenAsync(),
            new((await Settings("contactsdb")).Concat(contactsSettings ?? new Dictionary<string, string>()).ToDictionary()), new(await Settings("salesdb")),
            new(marketing, marketingServices), new(Overlaid(await Settings("servicedb"), ServiceSettings, serviceSettings)),
            new(Overlaid(await Settings("integrationsdb"), IntegrationsSettings, await servers.BrokerManagementSettingsAsync(), integrationsSettings)))
        {
            MarketingSettings = marketing,
            MarketingServices = marketingServices,
        };

        // Touching Server starts the host: migrations, then the bus with its queues.
        await Task.WhenAll(
            Task.Run(() => platform.Contacts.Server), Task.Run(() => platform.Sales.Server),
            Task.Run(() => platform.Marketing.Server), Task.Run(() => platform.Service.Server), Task.Run(() => platform.Integrations.Server));
        return platform;
    }

    /// <summary>The key tests sign help-centre form tokens with (see WebFormTests).</summary>
    public static readonly byte[] WebFormTokenKey = System.Text.Encoding.UTF8.GetBytes("tests-web-form-token-key-32-bytes!");

    /// <summary>
    /// Service's inbound SMTP on a port the system picks as it binds (tests read it from the listener: a port picked
    /// free beforehand can be taken by a parallel fixture before the service binds it); the web form's per-tenant
    /// limit low enough to reach.
    /// </summary>
    private static Dictionary<string, string> ServiceSettings => new()
    {
        ["Service:Smtp:Port"] = "0",
        ["Service:WebForm:TokenKey"] = Convert.ToBase64String(WebFormTokenKey),
        ["Service:WebForm:PerTenantPerHour"] = "5",
        ["Service:WebForm:PerClientPerMinute"] = "60",
    };

    /// <summary>Webhooks to the tests' local receivers (loopback, http).</summary>
    public static Dictionary<string, string> IntegrationsSettings => new()
    {
        ["Integrations:Webhooks:AllowPrivateTargets"] = "true",
    };

    /// <summary>Settings where a later layer's key replaces an earlier one's.</summary>
    private static Dictionary<string, string> Overlaid(params IEnumerable<IReadOnlyDictionary<string, string>?> layers)
    {
        var settings = new Dictionary<string, string>();
        foreach (var (key, value) in layers.SelectMany(layer => layer ?? new Dictionary<string, string>()))
        {
            settings[key] = value;
        }
        return settings;
    }

    public static async Task<PlatformServices> StartOnSharedBrokerAsync(IReadOnlyDictionary<string, string>? contactsSettings = null,
        IReadOnlyDictionary<string, string>? serviceSettings = null, IReadOnlyDictionary<string, string>? integrationsSettings = null,
        IReadOnlyDictionary<string, string>? marketingSettings = null, Action<IServiceCollection>? marketingServices = null)
    {
        var servers = await TestServers.GetAsync();
        return await StartAsync(await servers.CreateVirtualHostAsync(), contactsSettings, serviceSettings, integrationsSettings, marketingSettings,
            marketingServices);
    }

    /// <summary>An HTTP client for a service that sends <paramref name="token"/> (the admin's by default).</summary>
    public HttpClient ClientFor<TEntryPoint>(ServiceFactory<TEntryPoint> service, string? token = null) where TEntryPoint : class
    {
        var client = service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token ?? AdminToken);
        return client;
    }

    /// <summary>Runs <paramref name="query"/> on a fresh DbContext of a service, acting for the default tenant.</summary>
    public static async Task<T> QueryAsync<TDbContext, T>(ServiceFactory<TDbContext> service, Func<TDbContext, Task<T>> query)
        where TDbContext : DbContext
    {
        await using var scope = service.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = TenantContext.DefaultTenantId;
        return await query(scope.ServiceProvider.GetRequiredService<TDbContext>());
    }

    public static Task<DirectoryContact?> DirectoryEntryAsync<TDbContext>(ServiceFactory<TDbContext> service, Guid id)
        where TDbContext : TenantDbContext, IContactDirectoryDbContext =>
        QueryAsync(service, db => db.DirectoryContacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id));

    /// <summary>
    /// Each host is given a minute to stop, then left behind: MassTransit 8.5's bus stop can wait forever, whatever its
    /// StopTimeout, when receive endpoints are still reconnecting after a broker restart (a whole CI run hung on it in
    /// BrokerOutageTests' disposal, Sales' bus stuck in a receive transport's StopAgent).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (name, host) in new (string, IAsyncDisposable)[]
                     { ("Contacts", Contacts), ("Sales", Sales), ("Marketing", Marketing), ("Service", Service), ("Integrations", Integrations), ("Identity", Identity) })
        {
            try
            {
                await host.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1));
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine($"{name} did not stop within a minute; left behind");
            }
        }
    }
}

/// <summary>xunit class fixture: the four services on the shared test servers.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public PlatformServices Platform { get; private set; } = null!;

    public async Task InitializeAsync() => Platform = await PlatformServices.StartOnSharedBrokerAsync();

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}
