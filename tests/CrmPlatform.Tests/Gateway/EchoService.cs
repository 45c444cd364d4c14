using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmPlatform.Tests.Gateway;

/// <summary>A real HTTP server standing in for a service behind the gateway: it answers with what it received.</summary>
public sealed class EchoService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoService(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }
    public string Address => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    public bool Healthy { get; set; } = true;

    public static async Task<EchoService> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var echo = new EchoService(app, name);
        app.MapGet("/health", () => echo.Healthy ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        app.Map("/{**path}", (HttpContext context) => Results.Json(new
        {
            service = name,
            method = context.Request.Method,
            path = context.Request.Path.Value + context.Request.QueryString.Value,
            headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
        }));
        await app.StartAsync();
        return echo;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
