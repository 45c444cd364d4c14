using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Persistence.Mail;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CrmPlatform.Marketing.Campaigns;

internal static class CampaignsExtensions
{
    /// <summary>
    /// Campaigns: settings <c>Marketing:Campaigns</c>, the link tokens, the recipients and engagement in data subject
    /// requests, and, when <c>ConnectionStrings__mail</c> names an SMTP server, the sender (without one, campaigns wait).
    /// </summary>
    public static void AddCampaigns(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CampaignSettings>().BindConfiguration(CampaignSettings.Section)
            // A zone that does not resolve would quietly become UTC: refuse to start instead.
            .Validate(s => LocalTimes.Find(s.TimeZone) is not null && s.TenantTimeZones.Values.All(z => LocalTimes.Find(z) is not null),
                $"{CampaignSettings.Section}:TimeZone and :TenantTimeZones name IANA time zones.")
            .ValidateOnStart();
        builder.Services.AddSingleton<CampaignTokens>();
        builder.Services.AddSingleton<CampaignSignal>();
        builder.Services.AddPersonalDataPart<MarketingDbContext, CampaignRecipientsPart>();
        if (MailServer.FromConfiguration(builder.Configuration) is { } server)
        {
            builder.Services.TryAddSingleton(server);
            builder.Services.AddHostedService<CampaignSender>();
        }
    }
}
