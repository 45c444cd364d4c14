using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// Where access tokens come from and which claims carry what. By default our Identity service
/// (<c>services__identity__http__0</c>); any OpenID Connect provider can take its place through <c>Authentication:*</c>.
/// </summary>
public sealed class AuthenticationSettings
{
    public const string Section = "Authentication";

    /// <summary>The issuer's base URL; its discovery document gives the issuer name and the signing keys (JWKS).</summary>
    public string? Authority { get; set; }

    /// <summary>Where to read the discovery document, when it is not under the authority (e.g. an internal address).</summary>
    public string? MetadataAddress { get; set; }

    public string Audience { get; set; } = "crm-api";
    public string TenantClaim { get; set; } = "tenant_id";
    public string RoleClaim { get; set; } = "roles";
}

public static class AuthenticationExtensions
{
    /// <summary>
    /// Every endpoint requires a valid bearer token unless it says otherwise (only health probes and the token endpoints
    /// do). The token's tenant becomes the <see cref="TenantContext"/> of the request.
    /// </summary>
    public static TBuilder AddDefaultAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var settings = builder.Configuration.GetSection(AuthenticationSettings.Section).Get<AuthenticationSettings>() ?? new();
        settings.Authority ??= builder.Configuration["services:identity:http:0"];
        builder.Services.AddSingleton(Options.Create(settings));

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            if (settings.Authority is not null)
            {
                jwt.Authority = settings.Authority;
                jwt.MetadataAddress = settings.MetadataAddress ?? $"{settings.Authority.TrimEnd('/')}/.well-known/openid-configuration";
                jwt.RequireHttpsMetadata = jwt.MetadataAddress.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
            }
            jwt.Audience = settings.Audience;
            // Our Identity publishes a new signing key two hours before it signs with it; refreshing hourly picks it up.
            jwt.AutomaticRefreshInterval = TimeSpan.FromHours(1);
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters.NameClaimType = "sub";
            jwt.TokenValidationParameters.RoleClaimType = settings.RoleClaim;
            jwt.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
        });
        // The issuer itself (Identity) validates its own tokens from its key store; every other app needs an authority.
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Validate(jwt => jwt.Authority is not null || jwt.ConfigurationManager is not null,
                "No token issuer configured: set Authentication__Authority, or services__identity__http__0 for the Identity service.")
            .ValidateOnStart();
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.Services.TryAddScoped<TenantContext>();
        return builder;
    }

    /// <summary>Authentication, then the tenant from the token, then authorization.</summary>
    public static WebApplication UseDefaultAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(SetTenantFromToken);
        app.UseAuthorization();
        return app;
    }

    private static async Task SetTenantFromToken(HttpContext context, RequestDelegate next)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            var settings = context.RequestServices.GetRequiredService<IOptions<AuthenticationSettings>>().Value;
            var claim = settings.TenantClaim;
            if (!Guid.TryParse(context.User.FindFirstValue(claim), out var tenantId) || tenantId == Guid.Empty)
            {
                await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "No tenant",
                    detail: $"The access token carries no valid '{claim}' claim.").ExecuteAsync(context);
                return;
            }
            var tenant = context.RequestServices.GetRequiredService<TenantContext>();
            tenant.TenantId = tenantId;
            tenant.ActorId = context.User.FindFirstValue("sub");
            // Partner systems authorized by scopes work on the whole tenant; record scopes are for people in sales roles.
            tenant.SeesWholeTenant = Roles.SeeWholeTenant(context.User.FindAll(settings.RoleClaim).Select(role => role.Value))
                || context.User.FindAll("scope").Any(scope => scope.Value.Contains(':'));
        }
        await next(context);
    }
}
