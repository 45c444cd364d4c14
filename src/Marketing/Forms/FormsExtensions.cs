using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Cors.Infrastructure;

namespace CrmPlatform.Marketing.Forms;

internal static class FormsExtensions
{
    /// <summary>
    /// Web forms: the shared protection of public forms (settings <c>Marketing:WebForms</c>), CORS per form, and the
    /// submissions in data subject requests.
    /// </summary>
    public static void AddWebForms(this IHostApplicationBuilder builder)
    {
        builder.AddWebFormProtection("Marketing:WebForms");
        builder.Services.AddCors();
        builder.Services.AddSingleton<DefaultCorsPolicyProvider>();
        builder.Services.AddSingleton<ICorsPolicyProvider, FormCorsPolicyProvider>();
        builder.Services.AddPersonalDataPart<MarketingDbContext, FormSubmissionsPart>();
    }
}
