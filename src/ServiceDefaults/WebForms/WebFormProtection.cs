using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// What every public (anonymous) web form of the platform does against bots and floods without third parties: signed
/// form tokens with a minimum fill time (<see cref="FormTokens"/>), a per-client rate limit policy
/// (<see cref="ClientRateLimit"/>) and a per-owner limit (<see cref="WebFormTenantLimiter"/>). The honeypot is the
/// form's own field; what to do when it is filled (answer as if received, store nothing) is shared by convention.
/// </summary>
public static class WebFormProtection
{
    public const string ClientRateLimit = "web-form-client";

    /// <param name="section">The service's settings for its forms (see <see cref="WebFormOptions"/>).</param>
    public static void AddWebFormProtection(this IHostApplicationBuilder builder, string section)
    {
        builder.Services.AddOptions<WebFormOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<FormTokens>();
        builder.Services.AddSingleton<WebFormTenantLimiter>();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(ClientRateLimit, context =>
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

    /// <summary>
    /// The answer to a token that is not good (null when it is): 422, because a person who was quick or left the page
    /// open can simply send again.
    /// </summary>
    public static ProblemHttpResult? TokenProblem(FormTokenCheck check) => check switch
    {
        FormTokenCheck.TooFast => ApiProblems.Unprocessable("The form was sent faster than a person fills it in; please send it again.",
            new Dictionary<string, string[]> { ["formToken"] = ["Sent too soon after the form was shown."] }),
        FormTokenCheck.Expired => ApiProblems.Unprocessable("The form was open too long; reload it and send it again.",
            new Dictionary<string, string[]> { ["formToken"] = ["The form token has expired."] }),
        FormTokenCheck.Invalid => ApiProblems.Unprocessable("The form token is missing or not valid; reload the form and send it again.",
            new Dictionary<string, string[]> { ["formToken"] = ["Not a valid form token for this form."] }),
        _ => null,
    };

    internal static void SetRetryAfter(HttpContext http, RateLimitLease lease)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>
/// The per-owner limit (a tenant's help centre, one marketing form): one form flooded from many addresses must not
/// fill its owner's data without end (per-client limits cannot see that).
/// </summary>
public sealed class WebFormTenantLimiter(IOptions<WebFormOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<Guid> _limiter = PartitionedRateLimiter.Create<Guid, Guid>(scope =>
        RateLimitPartition.GetFixedWindowLimiter(scope, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.PerTenantPerHour, Window = TimeSpan.FromHours(1), QueueLimit = 0,
        }));

    public RateLimitLease Acquire(Guid scope) => _limiter.AttemptAcquire(scope);

    public static ProblemHttpResult TooMany(HttpContext http, RateLimitLease lease, string detail)
    {
        WebFormProtection.SetRetryAfter(http, lease);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: detail);
    }

    public void Dispose() => _limiter.Dispose();
}
