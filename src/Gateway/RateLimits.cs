using System.Security.Claims;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Gateway;

public sealed class RateLimitSettings
{
    public const string Section = "RateLimits";

    /// <summary>Requests per window for one API client or user (HubSpot publishes 190 per 10 s).</summary>
    public int PerClient { get; set; } = 190;

    /// <summary>Requests per window for all clients of one tenant together.</summary>
    public int PerTenant { get; set; } = 1000;

    public int WindowSeconds { get; set; } = 10;
}

/// <summary>
/// Fixed-window counters per client and per tenant. Written out rather than built on System.Threading.RateLimiting
/// because clients should see how much is left and when the window resets (<c>RateLimit-*</c> headers), which that
/// library does not tell.
/// </summary>
public sealed class RateLimiter(RateLimitSettings settings, TimeProvider clock)
{
    private readonly Dictionary<string, (long Window, int Count)> _counters = [];
    private readonly Lock _gate = new();
    private long _pruned;

    public readonly record struct Decision(bool Allowed, int Limit, int Remaining, int ResetSeconds);

    public Decision Take(string key, int limit)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var window = now / settings.WindowSeconds;
        var reset = (int)((window + 1) * settings.WindowSeconds - now);
        lock (_gate)
        {
            if (window != _pruned)
            {
                // Counters of past windows are worthless; dropping them keeps memory bounded by active clients.
                foreach (var stale in _counters.Where(c => c.Value.Window != window).Select(c => c.Key).ToList())
                {
                    _counters.Remove(stale);
                }
                _pruned = window;
            }

            var count = _counters.TryGetValue(key, out var counter) && counter.Window == window ? counter.Count : 0;
            if (count >= limit)
            {
                return new Decision(false, limit, 0, reset);
            }
            _counters[key] = (window, count + 1);
            return new Decision(true, limit, limit - count - 1, reset);
        }
    }
}

public static class RateLimitExtensions
{
    public static void AddRateLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(builder.Configuration.GetSection(RateLimitSettings.Section).Get<RateLimitSettings>() ?? new());
        builder.Services.AddSingleton<RateLimiter>();
    }

    /// <summary>
    /// Counts each authenticated request against its client and its tenant; answers 429 with Retry-After past either
    /// limit, and tells every caller the tighter of the two in <c>RateLimit-*</c> headers.
    /// </summary>
    public static void UseRateLimits(this WebApplication app) => app.Use(async (context, next) =>
    {
        // A user's own bucket, not their front-end's: user tokens carry the front-end's client_id too.
        var client = context.User.FindFirstValue("sub") ?? context.User.FindFirstValue("client_id");
        if (client is null)
        {
            await next(context);
            return;
        }

        var settings = context.RequestServices.GetRequiredService<RateLimitSettings>();
        var limiter = context.RequestServices.GetRequiredService<RateLimiter>();
        var tenant = context.RequestServices.GetRequiredService<TenantContext>().TenantId;
        var perClient = limiter.Take($"client:{client}", settings.PerClient);
        var decision = perClient.Allowed ? limiter.Take($"tenant:{tenant}", settings.PerTenant) : perClient;
        if (decision.Allowed && perClient.Remaining < decision.Remaining)
        {
            decision = perClient;
        }

        context.Response.Headers["RateLimit-Limit"] = decision.Limit.ToString();
        context.Response.Headers["RateLimit-Remaining"] = decision.Remaining.ToString();
        context.Response.Headers["RateLimit-Reset"] = decision.ResetSeconds.ToString();
        context.Response.Headers["RateLimit-Policy"] = $"{settings.PerClient};w={settings.WindowSeconds};comment=\"per client\", {settings.PerTenant};w={settings.WindowSeconds};comment=\"per tenant\"";
        if (!decision.Allowed)
        {
            context.Response.Headers.RetryAfter = decision.ResetSeconds.ToString();
            await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                detail: $"At most {decision.Limit} requests per {settings.WindowSeconds} s; retry in {decision.ResetSeconds} s.").ExecuteAsync(context);
            return;
        }
        await next(context);
    });
}
