using System.Text.Json;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads.Conversion;

/// <summary>
/// One attempt to convert a lead: what was asked for, and, step by step, what it became. A small saga: requested (the
/// request to Contacts waits in the outbox), then completed (opportunity made, lead converted) or failed (the lead is
/// unchanged). The opportunity's id is chosen at the request, so completing twice could only make the same row.
/// At most one conversion of a lead is requested or completed (a unique index); a failed one may be tried again.
/// </summary>
public sealed class LeadConversion : Entity
{
    public Guid LeadId { get; init; }
    /// <summary>One of <see cref="LeadConversionStates"/>.</summary>
    public string State { get; set; } = LeadConversionStates.Requested;
    public string RequestedBy { get; init; } = "";

    /// <summary>The records the caller asked to reuse; null means "make one from the lead".</summary>
    public Guid? RequestedPersonId { get; init; }
    public Guid? RequestedOrganizationId { get; init; }

    public bool CreateOpportunity { get; init; }
    public Guid OpportunityId { get; init; } = Guid.CreateVersion7();
    public string? OpportunityName { get; init; }
    public decimal? Amount { get; init; }
    public string? Currency { get; init; }
    public Guid? PipelineId { get; init; }
    public string? Stage { get; init; }
    public DateOnly? ExpectedCloseDate { get; init; }

    public Guid? PersonId { get; set; }
    public bool PersonCreated { get; set; }
    public Guid? OrganizationId { get; set; }
    public bool OrganizationCreated { get; set; }

    public string? FailureDetail { get; set; }
    /// <summary>The request fields at fault, as a JSON object of messages (a 422's <c>errors</c>).</summary>
    public string? FailureErrors { get; set; }
    public DateTime? CompletedAt { get; set; }

    public bool IsRequested => State == LeadConversionStates.Requested;

    /// <summary>Whether a conversion of the lead is under way: until it ends, the lead is not changed or deleted.</summary>
    public static Task<bool> IsUnderWayAsync(SalesDbContext db, Guid leadId, CancellationToken cancellationToken) =>
        db.Set<LeadConversion>().AnyAsync(c => c.LeadId == leadId && c.State == LeadConversionStates.Requested, cancellationToken);

    public static ProblemHttpResult UnderWay(Guid leadId) =>
        ApiProblems.Conflict($"The lead '{leadId}' is being converted; see its conversion.");

    public IReadOnlyDictionary<string, string[]>? Errors() =>
        FailureErrors is null ? null : JsonSerializer.Deserialize<Dictionary<string, string[]>>(FailureErrors);

    /// <summary>The request to Contacts; the new records' ids derive from the conversion's, so they never change.</summary>
    public LeadConversionRequested Requested(Lead lead, DateTime now) => new(
        Guid.CreateVersion7(), now, TenantId, Id, 1, LeadId, RequestedBy, lead.OwnerId,
        RequestedPersonId,
        RequestedPersonId is null
            ? new LeadPersonData(lead.FirstName, lead.LastName, lead.Email!, lead.Phone, lead.JobTitle, lead.Country, lead.Region, lead.PostalCode, lead.City)
            : null,
        NewPersonId,
        RequestedOrganizationId,
        RequestedOrganizationId is null && !string.IsNullOrWhiteSpace(lead.Company)
            ? new LeadOrganizationData(lead.Company.Trim(), lead.CompanyDomain, lead.Industry, lead.EmployeeCount)
            : null,
        NewOrganizationId);

    /// <summary>Ids for the records Contacts creates, fixed per conversion (and distinct from the conversion's own).</summary>
    public Guid NewPersonId => Derived(1);
    public Guid NewOrganizationId => Derived(2);

    private Guid Derived(byte salt)
    {
        var bytes = Id.ToByteArray(bigEndian: true);
        bytes[15] ^= salt;
        return new Guid(bytes, bigEndian: true);
    }

    public void Resolve(LeadContactsResolved contacts)
    {
        PersonId = contacts.PersonId;
        PersonCreated = contacts.PersonCreated;
        OrganizationId = contacts.OrganizationId;
        OrganizationCreated = contacts.OrganizationCreated;
    }

    public void Complete(DateTime now)
    {
        State = LeadConversionStates.Completed;
        CompletedAt = now;
    }

    public void Fail(string detail, IReadOnlyDictionary<string, string[]> errors, DateTime now)
    {
        State = LeadConversionStates.Failed;
        FailureDetail = detail;
        FailureErrors = JsonSerializer.Serialize(errors);
        CompletedAt = now;
    }
}

public static class LeadConversionStates
{
    public const string Requested = "requested";
    public const string Completed = "completed";
    public const string Failed = "failed";
}
