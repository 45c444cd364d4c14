using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Gdpr;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Forms;

/// <summary>
/// The person's web form submissions, found by the address the contact directory has for them (read from the database:
/// the directory's own part may have erased it earlier in this same erasure). Exported as sent; erasure removes who
/// sent them and what they typed and keeps the fact and time of each submission, for the form's counts.
/// </summary>
public sealed class FormSubmissionsPart : IPersonalDataPart<MarketingDbContext>
{
    public string Name => "formSubmissions";

    private static async Task<IQueryable<FormSubmissionRecord>> OfAsync(MarketingDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var email = await db.DirectoryContacts.AsNoTracking().Where(c => c.Id == personId).Select(c => c.Email).SingleOrDefaultAsync(cancellationToken);
        var normalized = email?.Trim().ToLowerInvariant();
        return db.FormSubmissions.Where(s => normalized != null && s.Email == normalized);
    }

    public async Task<object?> CollectAsync(MarketingDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var submissions = await (await OfAsync(db, personId, cancellationToken)).AsNoTracking().OrderBy(s => s.CreatedAt)
            .Select(s => new { s.Id, s.FormId, s.CreatedAt, s.Values, s.Consents, s.IpAddress, s.UserAgent, s.PageUrl })
            .ToListAsync(cancellationToken);
        return submissions.Count == 0 ? null : submissions;
    }

    public async Task<int> EraseAsync(MarketingDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var submissions = await (await OfAsync(db, personId, cancellationToken)).ToListAsync(cancellationToken);
        submissions.ForEach(submission => submission.ErasePersonalData());
        return submissions.Count;
    }
}
