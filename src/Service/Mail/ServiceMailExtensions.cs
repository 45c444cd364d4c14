using CrmPlatform.Persistence.Mail;
using CrmPlatform.Service.Csat;
using CrmPlatform.Service.Data;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Service.Mail;

internal static class ServiceMailExtensions
{
    /// <summary>Service's email outbox (the platform's shared one, <see cref="EmailOutbox"/>) and CSAT's settings.</summary>
    public static void AddServiceMail(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<ServiceMailSettings>(builder.Configuration.GetSection(ServiceMailSettings.Section));
        builder.AddEmailOutbox<ServiceDbContext>().Configure<IOptions<ServiceMailSettings>>((outbox, mail) =>
        {
            outbox.From = mail.Value.From;
            outbox.MessageIdDomain = mail.Value.MessageIdDomain;
            outbox.MaxRetryDelay = mail.Value.MaxRetryDelay;
        });
        builder.AddCsat();
    }
}
