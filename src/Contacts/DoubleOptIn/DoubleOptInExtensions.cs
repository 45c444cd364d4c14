using System.Threading.RateLimiting;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Persistence.Mail;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Contacts.DoubleOptIn;

internal static class DoubleOptInExtensions
{
    public const string ConfirmationRateLimit = "double-opt-in-confirmation";

    /// <summary>
    /// Double opt-in: its settings, the expiry of unconfirmed requests, and, when <c>ConnectionStrings__mail</c> names an
    /// SMTP server, the email sender (without one, requests answer 503 and nothing is recorded); plus the per-address
    /// limit on the anonymous confirmation endpoints.
    /// </summary>
    public static void AddDoubleOptIn(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<DoubleOptInSettings>(builder.Configuration.GetSection(DoubleOptInSettings.Section));
        builder.Services.AddHostedService<DoubleOptInExpiry>();
        builder.AddEmailOutbox<ContactsDbContext>().Configure<IOptions<DoubleOptInSettings>>((outbox, doubleOptIn) =>
        {
            outbox.From = doubleOptIn.Value.From;
            outbox.MaxRetryDelay = doubleOptIn.Value.MaxRetryDelay;
            outbox.MessageIdDomain = "contacts.crm";
        });

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(ConfirmationRateLimit, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<DoubleOptInSettings>>().Value.ConfirmationsPerMinute;
                // Behind the gateway, the client's address (X-Forwarded-For, believed from loopback only).
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            limiter.OnRejected = async (rejected, _) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                }
                await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: "Too many confirmation attempts from this address; wait a minute before trying again.").ExecuteAsync(rejected.HttpContext);
            };
        });
    }
}
