using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CrmPlatform.Tests.Integrations;

/// <summary>How the receiver answers one request at <c>/hooks/{name}</c>.</summary>
public enum ReceiverAnswer
{
    Ok,
    ServerError,
    /// <summary>Answers 200, but only after the dispatcher's timeout: the dispatcher must count it as failed.</summary>
    TooSlow,
    /// <summary>Answers 200 after a short wait, within the timeout.</summary>
    Slow,
    /// <summary>Drops the connection without an answer.</summary>
    Reset,
}

/// <summary>One request the receiver got, with what it answered.</summary>
public sealed record Receipt(string Name, string WebhookId, string Timestamp, string Signature, byte[] Body, ReceiverAnswer Answer, long ReceivedAtTicks)
{
    public JsonElement CloudEvent => JsonDocument.Parse(Body).RootElement;

    /// <summary>Answered 200 within the timeout: the dispatcher saw it delivered.</summary>
    public bool Delivered => Answer is ReceiverAnswer.Ok or ReceiverAnswer.Slow;
}

/// <summary>
/// A partner's webhook endpoint on real Kestrel (loopback): records every request and answers per endpoint name as told
/// (always fine, always 500, or flaky: random 500s, answers past the timeout, slow answers, connection resets).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<ReceiverAnswer>> _behaviours = new();

    public ConcurrentQueue<Receipt> Receipts { get; } = new();

    /// <summary>How long <see cref="ReceiverAnswer.TooSlow"/> waits: longer than the dispatcher's timeout in the tests.</summary>
    public static readonly TimeSpan TooSlowDelay = TimeSpan.FromSeconds(3);

    private WebhookReceiver(WebApplication app) => _app = app;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks/{name}", receiver.ReceiveAsync);
        await app.StartAsync();
        return receiver;
    }

    public string Address => _app.Urls.First();

    /// <summary>A new endpoint answering as <paramref name="behaviour"/> says (always 200 by default); returns its URL.</summary>
    public string Endpoint(Func<ReceiverAnswer>? behaviour = null)
    {
        var name = Guid.NewGuid().ToString("N");
        _behaviours[name] = behaviour ?? (() => ReceiverAnswer.Ok);
        return $"{Address}/hooks/{name}";
    }

    /// <summary>Changes how an endpoint answers from now on.</summary>
    public void Answer(string url, Func<ReceiverAnswer> behaviour) => _behaviours[url.Split('/')[^1]] = behaviour;

    public IReadOnlyList<Receipt> For(string url) => Receipts.Where(r => r.Name == url.Split('/')[^1]).ToList();

    /// <summary>Random failures of every kind, <paramref name="failureRate"/> of the time.</summary>
    public static Func<ReceiverAnswer> Flaky(double failureRate) => () =>
    {
        var roll = Random.Shared.NextDouble();
        return roll >= failureRate ? (Random.Shared.NextDouble() < 0.2 ? ReceiverAnswer.Slow : ReceiverAnswer.Ok)
            : (roll / failureRate) switch
            {
                < 0.4 => ReceiverAnswer.ServerError,
                < 0.7 => ReceiverAnswer.Reset,
                _ => ReceiverAnswer.TooSlow,
            };
    };

    private async Task ReceiveAsync(string name, HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var answer = _behaviours.TryGetValue(name, out var behaviour) ? behaviour() : ReceiverAnswer.ServerError;
        var headers = context.Request.Headers;
        Receipts.Enqueue(new Receipt(name, headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(),
            headers["webhook-signature"].ToString(), body.ToArray(), answer, Stopwatch.GetTimestamp()));
        switch (answer)
        {
            case ReceiverAnswer.ServerError:
                context.Response.StatusCode = 500;
                return;
            case ReceiverAnswer.Reset:
                context.Abort();
                return;
            case ReceiverAnswer.TooSlow:
                await Task.Delay(TooSlowDelay, CancellationToken.None);
                break;
            case ReceiverAnswer.Slow:
                await Task.Delay(100, CancellationToken.None);
                break;
        }
        context.Response.StatusCode = 200;
    }

    /// <summary>
    /// Verifies receipts with the npm package <c>standardwebhooks</c> (an implementation independent of ours) through
    /// <c>contract/verify-webhooks.cjs</c>; returns, per (receipt, secret), whether it verified.
    /// </summary>
    public static async Task<IReadOnlyList<bool>> VerifyWithStandardWebhooksAsync(IEnumerable<(Receipt Receipt, string Secret)> messages)
    {
        var input = messages.Select(m => new Dictionary<string, object>
        {
            ["body"] = Convert.ToBase64String(m.Receipt.Body),
            ["secret"] = m.Secret,
            ["headers"] = new Dictionary<string, string>
            {
                ["webhook-id"] = m.Receipt.WebhookId,
                ["webhook-timestamp"] = m.Receipt.Timestamp,
                ["webhook-signature"] = m.Receipt.Signature,
            },
        }).ToList();
        var file = Path.Combine(Path.GetTempPath(), $"webhooks-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(input));
        try
        {
            var start = new ProcessStartInfo("node")
            {
                WorkingDirectory = Path.Combine(Repository.Root, "contract"),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add("verify-webhooks.cjs");
            start.ArgumentList.Add(file);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"node verify-webhooks.cjs exited with {process.ExitCode}: {await errors}");
            return JsonDocument.Parse(await output).RootElement.EnumerateArray().Select(r => r.GetProperty("verified").GetBoolean()).ToList();
        }
        finally
        {
            File.Delete(file);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
