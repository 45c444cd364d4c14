using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Sales.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads;

/// <summary>
/// Capturing a lead from a source that names it (a web form's submission, an import row): the same source and
/// reference find the lead captured before instead of making a second one, whoever owns it.
/// </summary>
internal static class LeadCapture
{
    /// <summary>The lead captured before from the same source and reference, tenant-wide (record scopes aside).</summary>
    public static Task<Lead?> FindAsync(SalesDbContext db, string source, string reference, CancellationToken cancellationToken) =>
        db.Leads.IgnoreQueryFilters().AsNoTracking()
            .SingleOrDefaultAsync(l => l.TenantId == db.CurrentTenantId && l.Source == source && l.SourceReference == reference, cancellationToken);

    /// <summary>The people of the contact directory with these email addresses (as leads keep them, lower-cased).</summary>
    public static async Task<Dictionary<string, Guid>> PeopleByEmailAsync(SalesDbContext db, IReadOnlyCollection<string> emails, CancellationToken cancellationToken) =>
        (await db.DirectoryContacts.AsNoTracking()
            .Where(c => c.Kind == ContactKind.Person && !c.IsDeleted && c.Email != null && emails.Contains(c.Email.ToLower()))
            .Select(c => new { Email = c.Email!.ToLower(), c.Id })
            .ToListAsync(cancellationToken))
        .GroupBy(c => c.Email).ToDictionary(g => g.Key, g => g.Min(c => c.Id));

    /// <summary>Links the lead to the person with its email, if Sales knows one (<see cref="Lead.EmailPersonId"/>).</summary>
    public static async Task LinkPersonAsync(SalesDbContext db, Lead lead, CancellationToken cancellationToken)
    {
        lead.EmailPersonId = lead.Email is null ? null
            : (await PeopleByEmailAsync(db, [lead.Email], cancellationToken)).TryGetValue(lead.Email, out var person) ? person : null;
    }

    /// <summary>Adds a valid request as a new lead with its <c>LeadCreated</c>, for the caller to save.</summary>
    public static async Task<Lead> AddAsync(SalesDbContext db, LeadRequest request, CancellationToken cancellationToken)
    {
        var lead = new Lead();
        request.ApplyTo(lead);
        await LinkPersonAsync(db, lead, cancellationToken);
        db.Leads.Add(lead);
        await Assignment.NewLeads.PrepareAsync(db, lead, cancellationToken);
        db.Stamp();
        db.AddEvent(lead.Created());
        return lead;
    }

    /// <summary>
    /// What a source typed, made acceptable: fields that fail the checks are dropped (named in the description, so
    /// nothing the visitor wrote is lost) and a missing last name is taken from the first name or the email. Null when
    /// nothing is left to reach the lead by.
    /// </summary>
    public static LeadRequest? Lenient(LeadRequest request)
    {
        var lastName = request.LastName ?? request.FirstName ?? request.Email?.Split('@')[0];
        request = request with { LastName = string.IsNullOrWhiteSpace(lastName) ? "(unknown)" : lastName };
        var errors = request.Validate();
        if (errors.IsValid)
        {
            return request;
        }
        var dropped = new List<string>();
        string? Drop(string field, string? value)
        {
            if (errors.ContainsKey(field) && !string.IsNullOrWhiteSpace(value))
            {
                dropped.Add($"{field}: {value}");
                return null;
            }
            return value;
        }
        request = request with
        {
            FirstName = Drop("firstName", request.FirstName), Email = Drop("email", request.Email), Phone = Drop("phone", request.Phone),
            JobTitle = Drop("jobTitle", request.JobTitle), Company = Drop("company", request.Company),
            CompanyDomain = Drop("companyDomain", request.CompanyDomain), Country = Drop("country", request.Country),
            LastName = errors.ContainsKey("lastName") ? request.LastName![..Lead.NameMaxLength] : request.LastName,
            ProductInterests = errors.ContainsKey("productInterests") ? [] : request.ProductInterests,
        };
        if (dropped.Count > 0)
        {
            var note = "Not accepted from the source: " + string.Join("; ", dropped);
            var description = string.IsNullOrWhiteSpace(request.Description) ? note : request.Description.Trim() + "\n\n" + note;
            request = request with { Description = description.Length > Lead.DescriptionMaxLength ? description[..Lead.DescriptionMaxLength] : description };
        }
        return request.Validate().IsValid ? request : null;
    }
}
