using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// One entry of a ticket's conversation: a public reply (the customer sees it; later sent by email) or an internal
/// note (only the desk sees it). Written once, never edited: the conversation is the record of what was said.
/// </summary>
public sealed class TicketMessage : Entity
{
    public const int BodyMaxLength = 100_000;
    public const int ExternalIdMaxLength = 998;

    public Guid TicketId { get; set; }
    /// <summary><see cref="MessageKinds"/>.</summary>
    public string Kind { get; set; } = MessageKinds.Public;
    /// <summary><see cref="AuthorKinds"/>.</summary>
    public string AuthorKind { get; set; } = AuthorKinds.Agent;
    /// <summary>The agent's user id, or the requester person's id (as text) for a customer.</summary>
    public string? AuthorId { get; set; }
    public string? AuthorName { get; set; }
    public string? AuthorEmail { get; set; }
    public string Body { get; set; } = "";
    public string Channel { get; set; } = TicketChannels.Api;
    /// <summary>The message's id in its channel (an email's Message-ID): a message delivered twice is kept once.</summary>
    public string? ExternalMessageId { get; set; }
}

public static class MessageKinds
{
    public const string Public = "public";
    public const string Internal = "internal";

    public static readonly IReadOnlyList<string> All = [Public, Internal];
}

public static class AuthorKinds
{
    public const string Agent = "agent";
    public const string Customer = "customer";

    public static readonly IReadOnlyList<string> All = [Agent, Customer];
}
