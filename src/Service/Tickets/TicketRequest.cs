using System.Text.RegularExpressions;
using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// A ticket as written. On creation the requester is <c>requesterId</c> (a person Service knows from Contacts) or
/// <c>requesterEmail</c> (+ <c>requesterName</c>): an address nobody has yet becomes a person in Contacts, and the ticket
/// shows it a moment later. <c>status</c> is for updates (a new ticket is <c>new</c>); leaving out <c>assigneeId</c> and
/// <c>groupId</c> on creation lets the routing rules choose.
/// </summary>
public sealed partial record TicketRequest(
    string? Subject, string? Description = null, Guid? RequesterId = null, string? RequesterEmail = null, string? RequesterName = null,
    Guid? OrganizationId = null, string? Channel = null, string? Status = null, string? Priority = null, string? Category = null,
    string? Topic = null, string? Product = null, string? Language = null, IReadOnlyList<string>? Tags = null,
    string? AssigneeId = null, Guid? GroupId = null)
{
    public FieldErrors Validate(bool creating)
    {
        var errors = new FieldErrors()
            .Required("subject", Subject, Ticket.SubjectMaxLength)
            .MaxLength("description", Description, Ticket.DescriptionMaxLength)
            .MaxLength("requesterName", RequesterName, Ticket.NameMaxLength)
            .Email("requesterEmail", RequesterEmail)
            .When(RequesterEmail?.Length > 320, "requesterEmail", "requesterEmail must be at most 320 characters.")
            .When(creating && RequesterId is null && string.IsNullOrWhiteSpace(RequesterEmail), "requesterId", "requesterId or requesterEmail is required.")
            .When(RequesterId == Guid.Empty, "requesterId", "requesterId is not a valid id.")
            .When(Channel is not null && !TicketChannels.All.Contains(Channel), "channel", $"channel must be one of {string.Join(", ", TicketChannels.All)}.")
            .When(Priority is not null && !TicketPriorities.All.Contains(Priority), "priority", $"priority must be one of {string.Join(", ", TicketPriorities.All)}.")
            .When(Status is not null && !TicketStatuses.All.Contains(Status), "status", $"status must be one of {string.Join(", ", TicketStatuses.All)}.")
            .When(creating && Status is not null && Status != TicketStatuses.New, "status", "A ticket starts as new; change its status afterwards.")
            .When(Language is not null && !LanguageTag().IsMatch(Language), "language", "language must be a language tag such as de or en-GB.")
            .MaxLength("category", Category, Ticket.ValueMaxLength)
            .MaxLength("topic", Topic, Ticket.ValueMaxLength)
            .MaxLength("product", Product, Ticket.ValueMaxLength)
            .MaxLength("assigneeId", AssigneeId, 200)
            .When(AssigneeId is not null && string.IsNullOrWhiteSpace(AssigneeId), "assigneeId", "assigneeId cannot be blank.")
            .When(Tags?.Count > Ticket.MaxTags, "tags", $"At most {Ticket.MaxTags} tags.")
            .When(Tags?.Any(t => string.IsNullOrWhiteSpace(t) || t.Trim().Length > Ticket.ValueMaxLength) == true, "tags",
                $"Tags are non-empty and at most {Ticket.ValueMaxLength} characters.");
        return errors;
    }

    /// <summary>Everything but the requester and the status, which have their own rules.</summary>
    public void ApplyTo(Ticket ticket)
    {
        ticket.Subject = Subject!.Trim();
        ticket.Description = string.IsNullOrWhiteSpace(Description) ? null : Description;
        ticket.Priority = Priority ?? TicketPriorities.Normal;
        ticket.Category = Value(Category);
        ticket.Topic = Value(Topic);
        ticket.Product = Value(Product);
        ticket.Language = Language?.ToLowerInvariant();
        ticket.Tags = [.. (Tags ?? []).Select(t => t.Trim().ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal)];
        ticket.OrganizationId = OrganizationId ?? ticket.OrganizationId;
    }

    /// <summary>Classification values compare in lower case (routing rules and skills are lower case).</summary>
    public static string? Value(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();

    public static string? NormalizedEmail(string? email) => string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LanguageTag();
}

public sealed record RequesterReference(Guid? Id, string? Email, string? Name, string State, string? Problem);

public sealed record TicketResponse(
    Guid Id, long Number, string Subject, string? Description, string Channel, string Status, DateTime StatusChangedAt, string Priority,
    RequesterReference Requester, Guid? OrganizationId, string? Category, string? Topic, string? Product, string? Language,
    IReadOnlyList<string> Tags, string? AssigneeId, Guid? GroupId, Guid? AssignedByRuleId, string? AssignmentReason,
    DateTime? SolvedAt, DateTime? ClosedAt, DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version,
    SlaView? Sla = null)
{
    public static TicketResponse From(Ticket t) => From(t, null);

    /// <param name="sla">The ticket's SLA clock as <see cref="SlaClocks.ViewAsync"/> shows it; null when no policy applied.</param>
    public static TicketResponse From(Ticket t, SlaView? sla) => new(
        t.Id, t.Number, t.Subject, t.Description, t.Channel, t.Status, t.StatusChangedAt, t.Priority,
        new RequesterReference(t.RequesterId, t.RequesterEmail, t.RequesterName, t.RequesterState, t.RequesterProblem),
        t.OrganizationId, t.Category, t.Topic, t.Product, t.Language, t.Tags, t.AssigneeId, t.GroupId, t.AssignedByRuleId, t.AssignmentReason,
        t.SolvedAt, t.ClosedAt, t.CreatedAt, t.CreatedBy, t.UpdatedAt, t.UpdatedBy, t.Version, sla);
}
