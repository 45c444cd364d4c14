using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Marketing.Apis;

/// <summary>
/// The answer to "may we contact this person for this purpose on this channel now", with the reason: granted (until
/// when), withdrawn (when), expired (when), not yet valid (from when), no record, or objected / restricted (GDPR
/// Art. 21 / 18, which override any consent).
/// </summary>
public sealed record CanContactResponse(
    Guid PersonId, string Purpose, string Channel, bool Allowed, string Reason, string Detail, DateTime? Since, DateTime? Until);

/// <summary>
/// Marketing's use of the consent replica: asked before a campaign sends anything. It answers from Marketing's own copy,
/// so it works while Contacts is down; a person it has no consent for (or does not know at all) is not to be contacted.
/// </summary>
public static class ContactabilityApi
{
    public static RouteHandlerBuilder MapContactabilityApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/marketing/contacts/{personId:guid}/can-contact", CanContact)
            .WithTags("Contactability")
            .RequirePermission(Permissions.Contactability, Operation.Read);

    public static async Task<Results<Ok<CanContactResponse>, ValidationProblem>> CanContact(
        Guid personId, string? purpose, string? channel, MarketingDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(string.IsNullOrWhiteSpace(purpose), "purpose", "purpose is required.")
            .When(!string.IsNullOrWhiteSpace(purpose) && !ConsentValues.Purposes.Contains(purpose), "purpose",
                $"purpose must be one of: {string.Join(", ", ConsentValues.Purposes)}.")
            .When(string.IsNullOrWhiteSpace(channel), "channel", "channel is required.")
            .When(!string.IsNullOrWhiteSpace(channel) && !ConsentValues.Channels.Contains(channel), "channel",
                $"channel must be one of: {string.Join(", ", ConsentValues.Channels)}.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var decision = await DirectMarketingRule.DecideAsync(db, personId, purpose!, channel!, clock.GetUtcNow().UtcDateTime, cancellationToken);
        return TypedResults.Ok(new CanContactResponse(
            personId, purpose!, channel!, decision.Allowed, decision.Reason, decision.Detail, decision.Since, decision.Until));
    }
}
