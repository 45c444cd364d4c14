using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Cors.Infrastructure;

namespace CrmPlatform.Marketing.Forms;

internal static class FormsExtensions
{
    /// <summary>Web forms: the shared protection of public forms (settings <c>Marketing:WebForms</c>) and CORS per form.</summary>
    public static void AddWebForms(this IHostApplicationBuilder builder)
    {
        builder.AddWebFormProtection("Marketing:WebForms");
        builder.Services.AddCors();
        builder.Services.AddSingleton<DefaultCorsPolicyProvider>();
        builder.Services.AddSingleton<ICorsPolicyProvider, FormCorsPolicyProvider>();
    }
}
