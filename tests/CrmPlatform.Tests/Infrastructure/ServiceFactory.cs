using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>
/// One of our services, hosted in the test process (on the real PostgreSQL and RabbitMQ where it uses them), configured
/// the way the AppHost configures it (Aspire-style connection strings). <typeparamref name="TEntryPoint"/> is any public
/// type of the service.
/// </summary>
/// <param name="services">Replacements of the service's own registrations (applied after them), such as a controllable <see cref="TimeProvider"/>.</param>
public sealed class ServiceFactory<TEntryPoint>(IReadOnlyDictionary<string, string> settings, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        // Test output shows failures, not every request; EF's probe of a missing migrations table is not one.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Critical");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<ResponseContractCache>();
            services.AddTransient<IStartupFilter, ResponseContractStartupFilter>();
        });
        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
        if (_onKestrel)
        {
            builder.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        }
    }

    private bool _onKestrel;

    /// <summary>
    /// Starts the service on real Kestrel at a free loopback port. The port comes from the urls setting rather than
    /// <c>UseKestrel(0)</c>, whose address rewrite races the app's own start and sometimes throws (dotnet/aspnetcore#67714).
    /// </summary>
    public void StartOnKestrel()
    {
        _onKestrel = true;
        UseKestrel();
        StartServer();
    }

    /// <summary>Where Kestrel listens (<c>http://127.0.0.1:port</c>), once started with <see cref="StartOnKestrel"/>.</summary>
    public string Address => Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
