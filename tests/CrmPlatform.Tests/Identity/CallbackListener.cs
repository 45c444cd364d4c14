using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmPlatform.Tests.Identity;

/// <summary>A front-end's redirect URI as a real HTTP endpoint: the browser lands here with the code, which the test takes.</summary>
public sealed class CallbackListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<IQueryCollection> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CallbackListener()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/callback", (HttpRequest request) =>
        {
            _received.TrySetResult(request.Query);
            return Results.Content("<!DOCTYPE html><title>Signed in</title><p>Signed in; the app takes it from here.</p>", "text/html");
        });
    }

    public string RedirectUri { get; private set; } = "";

    /// <summary>The query string of the first request to the redirect URI.</summary>
    public Task<IQueryCollection> Received => _received.Task;

    public static async Task<CallbackListener> StartAsync()
    {
        var listener = new CallbackListener();
        await listener._app.StartAsync();
        var address = listener._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        listener.RedirectUri = $"{address}/callback";
        return listener;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
