namespace CrmPlatform.Service.Tickets;

/// <summary>
/// A ticket's life: <c>new</c> until someone works it; <c>open</c> while the desk works it; <c>pending</c> while it waits
/// for the customer, <c>on-hold</c> while it waits for someone else; <c>solved</c> once answered (a customer's reply or
/// an agent reopens it); <c>closed</c> for good. No ticket goes back to new, none is closed before it is solved, and
/// nothing leaves closed (a customer writing again after that gets a new ticket).
/// </summary>
public static class TicketStatuses
{
    public const string New = "new";
    public const string Open = "open";
    public const string Pending = "pending";
    public const string OnHold = "on-hold";
    public const string Solved = "solved";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<string> All = [New, Open, Pending, OnHold, Solved, Closed];

    /// <summary>The statuses in which a ticket is somebody's work: least-loaded routing counts them.</summary>
    public static readonly IReadOnlyList<string> Unsolved = [New, Open, Pending, OnHold];

    private static readonly Dictionary<string, string[]> Moves = new()
    {
        [New] = [Open, Pending, OnHold, Solved],
        [Open] = [Pending, OnHold, Solved],
        [Pending] = [Open, OnHold, Solved],
        [OnHold] = [Open, Pending, Solved],
        [Solved] = [Open, Closed],
        [Closed] = [],
    };

    public static bool CanMove(string from, string to) => from == to || Moves[from].Contains(to);

    public static IReadOnlyList<string> MovesFrom(string from) => Moves[from];

    /// <summary>
    /// Where a customer's reply puts the ticket: back to the desk when it waited for them or was solved; a new ticket
    /// stays new, one on hold stays on hold (it still waits for someone else). Null for a closed ticket.
    /// </summary>
    public static string? AfterCustomerReply(string status) => status switch
    {
        Pending or Solved => Open,
        Closed => null,
        _ => status,
    };
}

public static class TicketPriorities
{
    public const string Low = "low";
    public const string Normal = "normal";
    public const string High = "high";
    public const string Urgent = "urgent";

    public static readonly IReadOnlyList<string> All = [Low, Normal, High, Urgent];
}

public static class TicketChannels
{
    public const string Email = "email";
    public const string Web = "web";
    public const string Api = "api";

    public static readonly IReadOnlyList<string> All = [Email, Web, Api];
}

/// <summary>Where the ticket's requester stands: known, or asked of Contacts and not yet (or not) answered.</summary>
public static class RequesterStates
{
    public const string Known = "known";
    public const string Requested = "requested";
    public const string Rejected = "rejected";
}
