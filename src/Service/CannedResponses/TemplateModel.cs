namespace CrmPlatform.Service.CannedResponses;

/// <summary>
/// Everything a canned response can say about the ticket it answers. Templates see exactly these fields, by the
/// snake_case names given here (<c>{{ requester.first_name }}</c>), as text; no .NET object reaches a template, so no
/// member beyond these can be read, and no method called.
/// </summary>
public sealed record TemplateModel(TicketFields? Ticket = null, PersonFields? Requester = null, AgentFields? Agent = null)
{
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ToVariables() => new Dictionary<string, IReadOnlyDictionary<string, string?>>
    {
        ["ticket"] = new Dictionary<string, string?>
        {
            ["reference"] = Ticket?.Reference,
            ["subject"] = Ticket?.Subject,
            ["status"] = Ticket?.Status,
            ["priority"] = Ticket?.Priority,
            ["url"] = Ticket?.Url,
        },
        ["requester"] = new Dictionary<string, string?>
        {
            ["first_name"] = Requester?.FirstName,
            ["last_name"] = Requester?.LastName,
            ["name"] = Requester?.Name ?? JoinName(Requester?.FirstName, Requester?.LastName),
            ["email"] = Requester?.Email,
            ["organization"] = Requester?.Organization,
        },
        ["agent"] = new Dictionary<string, string?>
        {
            ["first_name"] = Agent?.FirstName,
            ["name"] = Agent?.Name,
            ["email"] = Agent?.Email,
            ["group"] = Agent?.Group,
            ["signature"] = Agent?.Signature,
        },
    };

    /// <summary>The names templates may use, for the API description and for editors' autocompletion.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Fields { get; } =
        new TemplateModel().ToVariables().ToDictionary(o => o.Key, o => (IReadOnlyList<string>)[.. o.Value.Keys]);

    private static string? JoinName(string? first, string? last) =>
        string.Join(' ', new[] { first, last }.Where(part => !string.IsNullOrWhiteSpace(part))) is { Length: > 0 } name ? name : null;
}

public sealed record TicketFields(string? Reference = null, string? Subject = null, string? Status = null, string? Priority = null, string? Url = null);

public sealed record PersonFields(string? FirstName = null, string? LastName = null, string? Name = null, string? Email = null, string? Organization = null);

public sealed record AgentFields(string? FirstName = null, string? Name = null, string? Email = null, string? Group = null, string? Signature = null);
