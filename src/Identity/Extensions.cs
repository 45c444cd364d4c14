using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Tokens;
using CrmPlatform.Persistence;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Authentication.JwtBearer;

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
        builder.Services.AddHostedService<BootstrapAdmin>();
        builder.Services.AddHostedService<SigningKeyRotation>();

        builder.Services.AddSingleton<LocalIssuerConfiguration>();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<LocalIssuerConfiguration>((jwt, configuration) => jwt.ConfigurationManager = configuration);
    }
}
