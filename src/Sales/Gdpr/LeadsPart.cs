using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Leads;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Gdpr;

/// <summary>
/// The leads that are the person: the ones converted into them, the ones that had their email address when captured or
/// changed (<see cref="Lead.EmailPersonId"/>, which holds after Contacts has replaced an erased person's address), and
/// the ones with their address as the contact directory knows it now, for a lead is often captured before Contacts
/// knows its person. Erasure
/// removes who the lead was (names, email, phone, job title, description) and keeps where it came from, its company
/// and its outcome, as with quotes; what its activities and tasks say goes too.
/// </summary>
public sealed class LeadsPart : IPersonalDataPart<SalesDbContext>
{
    public string Name => "leads";

    /// <summary>
    /// Read from the database, not the tracked directory entry: the directory's own part may have erased its email in
    /// this very erasure, before this part runs.
    /// </summary>
    private static async Task<IQueryable<Lead>> OfAsync(SalesDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var email = await db.DirectoryContacts.AsNoTracking().Where(c => c.Id == personId).Select(c => c.Email).SingleOrDefaultAsync(cancellationToken);
        var normalized = email?.Trim().ToLowerInvariant();
        return db.Leads.Where(l => l.ConvertedPersonId == personId || l.EmailPersonId == personId || (normalized != null && l.Email == normalized));
    }

    public async Task<object?> CollectAsync(SalesDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var leads = await (await OfAsync(db, personId, cancellationToken)).AsNoTracking().OrderBy(l => l.CreatedAt)
            .Select(l => new
            {
                l.Id, l.FirstName, l.LastName, l.Email, l.Phone, l.JobTitle, l.Company, l.Country, l.Region, l.PostalCode, l.City,
                l.Source, l.CampaignId, l.ProductInterests, l.Description, l.Status, l.DisqualificationReason, l.ConvertedAt,
                l.CreatedAt, l.UpdatedAt,
            })
            .ToListAsync(cancellationToken);
        return leads.Count == 0 ? null : leads;
    }

    public async Task<IReadOnlyCollection<Guid>> AuditedIdsAsync(SalesDbContext db, Guid personId, CancellationToken cancellationToken) =>
        await (await OfAsync(db, personId, cancellationToken)).Select(l => l.Id).ToListAsync(cancellationToken);

    public async Task<int> EraseAsync(SalesDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var leads = await (await OfAsync(db, personId, cancellationToken)).ToListAsync(cancellationToken);
        leads.ForEach(lead => lead.ErasePersonalData());
        // What was written on the lead's timeline is about the same person.
        var ids = leads.Select(l => l.Id).ToList();
        var activities = await db.Activities.Where(a => a.LeadId != null && ids.Contains(a.LeadId.Value)).ToListAsync(cancellationToken);
        activities.ForEach(activity => activity.EraseFreeText());
        var tasks = await db.Tasks.Where(t => t.LeadId != null && ids.Contains(t.LeadId.Value)).ToListAsync(cancellationToken);
        tasks.ForEach(task => task.EraseFreeText());
        return leads.Count;
    }
}
