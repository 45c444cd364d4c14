using System.Threading.RateLimiting;
using CrmPlatform.Identity.Apis;
using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Login;
using CrmPlatform.Identity.Model;
using CrmPlatform.Identity.Tokens;
using CrmPlatform.Persistence;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Identity;

internal static class Extensions
{
    public const string ServiceName = "identity";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<IdentitySettings>(builder.Configuration.GetSection(IdentitySettings.Section));
        builder.AddServiceDbContext<IdentityDbContext>("identitydb");
        builder.AddMessaging(ServiceName);

        builder.Services.AddSingleton<SigningKeyStore>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddScoped<AuthorizationCodes>();
        builder.Services.AddScoped<RefreshTokens>();
        builder.Services.AddHostedService<BootstrapAdmin>();
        builder.Services.AddHostedService<SigningKeyRotation>();

        builder.Services.AddSingleton<LocalIssuerConfiguration>();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<LocalIssuerConfiguration>((jwt, configuration) => jwt.ConfigurationManager = configuration);
        builder.AddPermissions(Permissions.Matrix);

        builder.AddLogin();
    }

    /// <summary>The login page: its session cookie, antiforgery, password hashing and the per-address attempt limit.</summary>
    private static void AddLogin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PasswordLogin>();
        builder.Services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        builder.Services.AddAntiforgery();
        builder.Services.AddAuthentication().AddCookie(LoginApi.CookieScheme, cookie =>
        {
            cookie.Cookie.Name = "crm_identity_session";
            cookie.Cookie.HttpOnly = true;
            // Lax: the client's top-level redirect to /connect/authorize must carry the session.
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/login";
            cookie.ReturnUrlParameter = "returnUrl";
        });

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(LoginApi.RateLimitPolicy, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<IdentitySettings>>().Value.Login;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.AttemptsPerWindow, Window = limits.Window, QueueLimit = 0 });
            });
            limiter.OnRejected = async (rejected, _) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                }
                await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many login attempts",
                    detail: "Too many login attempts from this address; wait before trying again.").ExecuteAsync(rejected.HttpContext);
            };
        });
    }
}
