using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Service.Sla.Entitlements;

/// <summary>
/// What an organization (a Contacts organization, known here from the contact directory) is entitled to: an SLA
/// policy from <see cref="ValidFrom"/> to <see cref="ValidTo"/> (both days included, UTC; open-ended without an end).
/// One organization's contracts never overlap, so at any moment at most one applies. Tenant configuration (no record scope).
/// </summary>
public sealed class ServiceContract : UnownedAuditedEntity
{
    public const int NameMaxLength = 200;

    public string Name { get; set; } = "";

    public Guid OrganizationId { get; set; }

    public Guid PolicyId { get; set; }

    public DateOnly ValidFrom { get; set; }

    public DateOnly? ValidTo { get; set; }

    public bool IsValidOn(DateOnly day) => ValidFrom <= day && (ValidTo is null || day <= ValidTo);

    public bool Overlaps(ServiceContract other) =>
        ValidFrom <= (other.ValidTo ?? DateOnly.MaxValue) && other.ValidFrom <= (ValidTo ?? DateOnly.MaxValue);
}

/// <summary>A contract as written: <c>name</c>, <c>organizationId</c>, <c>policyId</c>, <c>validFrom</c>, <c>validTo</c> (optional).</summary>
public sealed record ServiceContractRequest(string? Name, Guid? OrganizationId, Guid? PolicyId, DateOnly? ValidFrom, DateOnly? ValidTo)
{
    /// <summary>The contract, or the 400 errors; references and overlaps are checked against the database by the caller.</summary>
    public ServiceContract? Read(out CrmPlatform.ServiceDefaults.FieldErrors errors)
    {
        errors = new CrmPlatform.ServiceDefaults.FieldErrors()
            .Required("name", Name, ServiceContract.NameMaxLength)
            .When(OrganizationId is null, "organizationId", "organizationId is required: the organization (of Contacts) the contract is with.")
            .When(PolicyId is null, "policyId", "policyId is required: the SLA policy the organization is entitled to.")
            .When(ValidFrom is null, "validFrom", "validFrom is required (yyyy-MM-dd).")
            .When(ValidTo < ValidFrom, "validTo", "validTo cannot be before validFrom.");
        return errors.IsValid
            ? new ServiceContract { Name = Name!.Trim(), OrganizationId = OrganizationId!.Value, PolicyId = PolicyId!.Value, ValidFrom = ValidFrom!.Value, ValidTo = ValidTo }
            : null;
    }
}

public sealed record ServiceContractResponse(
    Guid Id, string Name, Guid OrganizationId, Guid PolicyId, DateOnly ValidFrom, DateOnly? ValidTo,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static ServiceContractResponse From(ServiceContract c) => new(
        c.Id, c.Name, c.OrganizationId, c.PolicyId, c.ValidFrom, c.ValidTo, c.CreatedAt, c.CreatedBy, c.UpdatedAt, c.UpdatedBy, c.Version);
}
