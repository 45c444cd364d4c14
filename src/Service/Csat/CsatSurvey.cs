using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Service.Csat;

/// <summary>
/// The satisfaction question sent when a ticket was solved, and its answer. The ticket's agent and group are kept as
/// they were at solving, so results credit whoever solved it even after the ticket moves on.
/// </summary>
public sealed class CsatSurvey : ITenantOwned
{
    public const int CommentMaxLength = 2000;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid TicketId { get; init; }
    public long TicketNumber { get; init; }
    public Guid? RequesterId { get; init; }
    public string? AgentId { get; init; }
    public Guid? GroupId { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
    /// <summary><see cref="CsatRatings"/>; null until rated.</summary>
    public string? Rating { get; private set; }
    public string? Comment { get; private set; }
    public DateTime? RatedAt { get; private set; }

    public bool Rate(string rating, string? comment, DateTime now)
    {
        if (Rating is not null)
        {
            return false;
        }
        Rating = rating;
        Comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim() is { Length: > CommentMaxLength } long_ ? long_[..CommentMaxLength] : comment.Trim();
        RatedAt = now;
        return true;
    }
}

public static class CsatRatings
{
    public const string Good = "good";
    public const string Bad = "bad";

    public static readonly IReadOnlyList<string> All = [Good, Bad];
}
