using CrmPlatform.Marketing.Data;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Forms;

/// <summary>
/// CORS per form: the public form endpoints allow exactly the origins the form lists (read per request, so a change
/// counts at once); any other origin, or an unknown or archived form, gets no <c>Access-Control-Allow-Origin</c>, so
/// browsers keep other sites' scripts from sending the form or reading its answer. Other policies are the defaults.
/// </summary>
public sealed class FormCorsPolicyProvider(DefaultCorsPolicyProvider defaults) : ICorsPolicyProvider
{
    public const string PolicyName = "web-form";

    public async Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        if (policyName != PolicyName)
        {
            return await defaults.GetPolicyAsync(context, policyName);
        }
        var origins = Guid.TryParse(context.Request.RouteValues["id"]?.ToString(), out var formId)
            ? await context.RequestServices.GetRequiredService<MarketingDbContext>().WebForms.IgnoreQueryFilters().AsNoTracking()
                .Where(f => f.Id == formId && f.ArchivedAt == null).Select(f => f.AllowedOrigins).SingleOrDefaultAsync(context.RequestAborted)
            : null;
        return new CorsPolicyBuilder().WithOrigins([.. origins ?? []]).WithMethods("GET", "POST").WithHeaders("Content-Type")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10)).Build();
    }
}
