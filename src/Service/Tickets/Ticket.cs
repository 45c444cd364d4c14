using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// A customer's request to the support desk. It has no owner of its own (it is the desk's, worked by its
/// <see cref="AssigneeId"/>), so no record scope applies: everyone allowed to read tickets sees the tenant's.
/// Status moves keep <see cref="TicketStatuses"/>' rules; every change is announced with what changed.
/// </summary>
public sealed class Ticket : UnownedAuditedEntity
{
    public const int SubjectMaxLength = 300;
    public const int DescriptionMaxLength = 100_000;
    public const int NameMaxLength = 200;
    public const int ValueMaxLength = 100;
    public const int MaxTags = 50;

    /// <summary>The tenant's running number, for people and mail subjects (<c>[#1042]</c>).</summary>
    public long Number { get; set; }
    public string Subject { get; set; } = "";
    public string? Description { get; set; }
    public string Channel { get; set; } = TicketChannels.Api;
    public string Status { get; private set; } = TicketStatuses.New;
    public DateTime StatusChangedAt { get; private set; }
    public string Priority { get; set; } = TicketPriorities.Normal;

    /// <summary>The person in Contacts; null while Contacts resolves <see cref="RequesterEmail"/>.</summary>
    public Guid? RequesterId { get; set; }
    /// <summary>The address the ticket came from or is answered at (the channel's, which may not be the person's primary).</summary>
    public string? RequesterEmail { get; set; }
    public string? RequesterName { get; set; }
    public string RequesterState { get; set; } = RequesterStates.Known;
    public string? RequesterProblem { get; set; }
    public Guid? OrganizationId { get; set; }

    public string? Category { get; set; }
    public string? Topic { get; set; }
    public string? Product { get; set; }
    /// <summary>A BCP 47 language tag, lower case (<c>de</c>, <c>en-gb</c>).</summary>
    public string? Language { get; set; }
    public List<string> Tags { get; set; } = [];

    public string? AssigneeId { get; set; }
    public Guid? GroupId { get; set; }
    public Guid? AssignedByRuleId { get; set; }
    public string? AssignmentReason { get; set; }

    public DateTime? SolvedAt { get; private set; }
    public DateTime? ClosedAt { get; private set; }

    /// <summary>Moves the status if the rules allow it; false (nothing changed) when they do not.</summary>
    public bool MoveTo(string status, DateTime now)
    {
        if (!TicketStatuses.CanMove(Status, status))
        {
            return false;
        }
        if (status == Status)
        {
            return true;
        }
        Status = status;
        StatusChangedAt = now;
        SolvedAt = status switch
        {
            TicketStatuses.Solved => now,
            TicketStatuses.Closed => SolvedAt,
            _ => null,
        };
        ClosedAt = status == TicketStatuses.Closed ? now : null;
        return true;
    }

    public void Open(DateTime now) => StatusChangedAt = now;

    public TicketSnapshot ToSnapshot() => new(
        Number, Subject, Status, Priority, Channel, RequesterId, OrganizationId, Category, Topic, Product, Language, [.. Tags], AssigneeId, GroupId);

    public TicketCreated Created() => new(Guid.CreateVersion7(), CreatedAt, TenantId, Id, Version, ToSnapshot());

    /// <summary>The events of a change already stamped: the update, and solved or closed when it entered them.</summary>
    public IEnumerable<IIntegrationEvent> Changed(IReadOnlyList<string> changedFields, string? previousStatus, string changedBy)
    {
        var snapshot = ToSnapshot();
        var statusChanged = previousStatus is not null && previousStatus != Status;
        yield return new TicketUpdated(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, changedFields,
            statusChanged ? previousStatus : null, changedBy, snapshot);
        if (statusChanged && Status == TicketStatuses.Solved)
        {
            yield return new TicketSolved(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, SolvedAt!.Value, snapshot);
        }
        if (statusChanged && Status == TicketStatuses.Closed)
        {
            yield return new TicketClosed(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ClosedAt!.Value, snapshot);
        }
    }

    /// <summary>GDPR erasure: who asked and what they wrote goes; that a ticket existed, its classification and history stay.</summary>
    public void EraseRequester()
    {
        RequesterEmail = null;
        RequesterName = null;
        Subject = "(erased)";
        Description = null;
    }
}
