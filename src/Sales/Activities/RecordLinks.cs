using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Activities;

/// <summary>
/// What an activity or a task is about: a person or organization of the contact directory (<c>contactId</c>), an
/// opportunity, a lead, or several of them.
/// </summary>
internal static class RecordLinks
{
    public static FieldErrors Links(this FieldErrors errors, Guid? contactId, Guid? opportunityId, Guid? leadId) => errors
        .When(contactId is null && opportunityId is null && leadId is null, "contactId",
            "Link a person or organization (contactId), an opportunity (opportunityId), a lead (leadId), or several.")
        .When(leadId == Guid.Empty, "leadId", "leadId is not a lead id.")
        .When(contactId == Guid.Empty, "contactId", "contactId is not a contact id.")
        .When(opportunityId == Guid.Empty, "opportunityId", "opportunityId is not an opportunity id.");

    /// <summary>
    /// 422 when Sales knows no such contact (or it is deleted), when the caller sees no such opportunity, or, for a
    /// new link (<paramref name="isNew"/>), when the person restricted processing (GDPR Art. 18). Null when all is well.
    /// </summary>
    public static async Task<ProblemHttpResult?> CheckAsync(
        SalesDbContext db, Guid? contactId, Guid? opportunityId, Guid? leadId, bool isNew, CancellationToken cancellationToken)
    {
        if (contactId is { } cid)
        {
            var contact = await db.DirectoryContacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == cid && !c.IsDeleted, cancellationToken);
            if (contact is null)
            {
                return Unprocessable("contactId",
                    $"Sales knows no person or organization with id '{cid}'. A contact created moments ago may still be on its way from Contacts.");
            }
            if (isNew && contact.ProcessingRestricted)
            {
                return Unprocessable("contactId", $"The person '{cid}' has restricted the processing of their data; nothing new can be recorded about them.");
            }
        }
        if (opportunityId is { } oid && !await db.Opportunities.AnyAsync(o => o.Id == oid, cancellationToken))
        {
            return Unprocessable("opportunityId", $"No opportunity with id '{oid}'.");
        }
        if (leadId is { } lid && !await db.Leads.AnyAsync(l => l.Id == lid, cancellationToken))
        {
            return Unprocessable("leadId", $"No lead with id '{lid}'.");
        }
        return null;
    }

    /// <summary>The opportunity or lead was deleted between the check and the save (the foreign key said so).</summary>
    public static ProblemHttpResult Deleted(Guid? opportunityId, Guid? leadId) => leadId is null
        ? Unprocessable("opportunityId", $"No opportunity with id '{opportunityId}'.")
        : Unprocessable(opportunityId is null ? "leadId" : "opportunityId", opportunityId is null
            ? $"No lead with id '{leadId}'."
            : $"No opportunity with id '{opportunityId}', or no lead with id '{leadId}'.");

    private static ProblemHttpResult Unprocessable(string field, string message) =>
        ApiProblems.Unprocessable(message, new Dictionary<string, string[]> { [field] = [message] });
}
