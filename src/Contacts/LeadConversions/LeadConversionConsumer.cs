using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.LeadConversions;

/// <summary>
/// Contacts' step of a lead conversion: finds or makes the person and the organization (and the person's role there)
/// and answers Sales, all in one commit with the inbox row and the records' own events. Applied once per message; and
/// since the new records' ids come with the request, even a request sent twice could only find what the first made.
/// A record to reuse that is missing, erased or restricted makes the answer a rejection, with nothing written.
/// </summary>
public sealed class LeadConversionConsumer(ContactsDbContext db, TenantContext tenant, TimeProvider clock) : IConsumer<LeadConversionRequested>
{
    public const string ConsumerName = "lead-conversions";

    public async Task Consume(ConsumeContext<LeadConversionRequested> context)
    {
        var request = context.Message;
        tenant.TenantId = request.TenantId;
        tenant.ActorId = request.RequestedBy;
        var cancellationToken = context.CancellationToken;
        await db.ProcessOnceAsync(context.MessageId ?? request.EventId, ConsumerName, async () =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var errors = new FieldErrors();
            var (person, personCreated) = await PersonAsync(request, errors, cancellationToken);
            var (organization, organizationCreated) = await OrganizationAsync(request, errors, cancellationToken);
            if (!errors.IsValid || person is null)
            {
                db.ChangeTracker.Clear();
                db.AddEvent(new LeadContactsRejected(Guid.CreateVersion7(), now, request.TenantId, request.AggregateId, 1, request.LeadId,
                    "Contacts could not resolve the people of the conversion: " + string.Join(" ", errors.Values.SelectMany(m => m)), errors));
                return;
            }

            var personChanged = false;
            if (organization is not null)
            {
                if (person.OrganizationId is null)
                {
                    person.OrganizationId = organization.Id;
                    personChanged = !personCreated;
                }
                if (personCreated || !await db.Affiliations.AnyAsync(a => a.PersonId == person.Id && a.OrganizationId == organization.Id, cancellationToken))
                {
                    db.Affiliations.Add(new Affiliation
                    {
                        PersonId = person.Id, OrganizationId = organization.Id, Title = Truncate(request.NewPerson?.JobTitle, Affiliation.TitleMaxLength),
                    });
                }
            }

            db.Stamp();
            if (organizationCreated)
            {
                db.AddEvent(organization!.Created());
            }
            if (personCreated)
            {
                db.AddEvent(person.Created());
            }
            else if (personChanged)
            {
                db.AddEvent(person.Updated());
            }
            db.AddEvent(new LeadContactsResolved(Guid.CreateVersion7(), now, request.TenantId, request.AggregateId, 1, request.LeadId,
                person.Id, personCreated, person.DisplayName, person.Email, organization?.Id, organizationCreated, organization?.Name));
        }, cancellationToken);
    }

    /// <summary>The person named, else the one with the lead's email, else a new one with the request's id.</summary>
    private async Task<(Person?, bool Created)> PersonAsync(LeadConversionRequested request, FieldErrors errors, CancellationToken cancellationToken)
    {
        if (request.PersonId is { } id)
        {
            var named = await db.People.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
            errors.When(named is null, "personId", $"No person with id '{id}'.")
                .When(named?.ErasedAt is not null, "personId", $"The person '{id}' was erased at their request.")
                .When(named?.ProcessingRestrictedAt is not null, "personId", $"The person '{id}' has restricted the processing of their data.");
            return (errors.IsValid ? named : null, false);
        }

        var data = request.NewPerson!;
        var email = EmailAddress.Normalize(data.Email);
        var existing = await db.PersonWithEmailAsync(email, cancellationToken)
            ?? await db.People.SingleOrDefaultAsync(p => p.Id == request.NewPersonId, cancellationToken);
        if (existing is not null)
        {
            errors.When(existing.ErasedAt is not null || existing.ProcessingRestrictedAt is not null, "personId",
                $"The person with the lead's email ('{existing.Id}') has restricted or erased their data; name a person to reuse.");
            return (errors.IsValid ? existing : null, false);
        }

        var created = new Person
        {
            Id = request.NewPersonId,
            FirstName = Truncate(data.FirstName, Person.NameMaxLength) ?? "",
            LastName = Truncate(data.LastName, Person.NameMaxLength) ?? "",
            JobTitle = Truncate(data.JobTitle, Person.NameMaxLength),
            OwnerId = request.OwnerId,
        };
        created.SetEmails([new EmailAddress(email, ContactPointType.Work, Primary: true)]);
        if (data.Phone is not null && E164.TryNormalize(data.Phone, data.Country, out var phone))
        {
            created.SetPhones([new PhoneNumber(phone, ContactPointType.Work, Primary: true)]);
        }
        if (Address(data.Country, data.Region, data.PostalCode, data.City) is { } postal)
        {
            created.Addresses = [postal];
        }
        db.People.Add(created);
        return (created, true);
    }

    /// <summary>The organization named, else one with the company's domain or name, else a new one with the request's id; none without a company.</summary>
    private async Task<(Organization?, bool Created)> OrganizationAsync(LeadConversionRequested request, FieldErrors errors, CancellationToken cancellationToken)
    {
        if (request.OrganizationId is { } id)
        {
            var named = await db.Organizations.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
            errors.When(named is null, "organizationId", $"No organization with id '{id}'.");
            return (named, false);
        }
        if (request.NewOrganization is not { } data)
        {
            return (null, false);
        }

        var domain = data.Domain?.Trim().ToLowerInvariant();
        var name = Truncate(data.Name, Organization.NameMaxLength)!;
        var existing = await db.Organizations.SingleOrDefaultAsync(o => o.Id == request.NewOrganizationId, cancellationToken)
            ?? (domain is null ? null : await db.Organizations.Where(o => o.Domain == domain).OrderBy(o => o.CreatedAt).FirstOrDefaultAsync(cancellationToken))
            ?? await db.Organizations.Where(o => o.Name.ToLower() == name.ToLower()).OrderBy(o => o.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (existing is not null)
        {
            return (existing, false);
        }

        var created = new Organization
        {
            Id = request.NewOrganizationId,
            Name = name,
            Domain = domain is not null && Uri.CheckHostName(domain) == UriHostNameType.Dns ? Truncate(domain, Organization.DomainMaxLength) : null,
            Industry = data.Industry,
            Size = Band(data.EmployeeCount),
            OwnerId = request.OwnerId,
        };
        db.Organizations.Add(created);
        return (created, true);
    }

    private static PostalAddress? Address(string? country, string? region, string? postalCode, string? city) =>
        country is not null && Countries.TryNormalize(country, out var code)
            ? new PostalAddress(AddressType.Work, null, city, postalCode, region, code)
            : null;

    private static EmployeeBand? Band(int? employees) => employees switch
    {
        null or < 1 => null,
        <= 10 => EmployeeBand.From1To10,
        <= 50 => EmployeeBand.From11To50,
        <= 200 => EmployeeBand.From51To200,
        <= 500 => EmployeeBand.From201To500,
        <= 1000 => EmployeeBand.From501To1000,
        <= 5000 => EmployeeBand.From1001To5000,
        <= 10000 => EmployeeBand.From5001To10000,
        _ => EmployeeBand.Over10000,
    };

    private static string? Truncate(string? value, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim() is var trimmed && trimmed.Length > maxLength ? trimmed[..maxLength] : value.Trim();

    public static void Register(IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<LeadConversionConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{ConsumerName}");
}
