using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Service.WebForm;

public static class WebFormExtensions
{
    public static void AddWebForm(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebFormOptions>().BindConfiguration(WebFormOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<FormTokens>();
        builder.Services.AddSingleton<WebFormTenantLimiter>();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(WebFormApi.ClientRateLimit, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<WebFormOptions>>().Value.PerClientPerMinute;
                // Behind the gateway, the client's address (X-Forwarded-For, believed from loopback only).
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            limiter.OnRejected = async (rejected, _) =>
            {
                SetRetryAfter(rejected.HttpContext, rejected.Lease);
                await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: "Too many requests from this address; wait a minute before sending again.").ExecuteAsync(rejected.HttpContext);
            };
        });
    }

    internal static void SetRetryAfter(HttpContext http, RateLimitLease lease)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        }
    }
}
