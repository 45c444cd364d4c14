using System.Text.Encodings.Web;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Mail;
using CrmPlatform.Service.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Service.Csat;

public enum RatingOutcome { Rated, AlreadyRated, Expired, Invalid }

/// <summary>
/// CSAT: a survey and its email when a ticket is solved (in the solving transaction), and the requester's one answer.
/// </summary>
public static class CsatSurveys
{
    public const string Actor = "csat";

    public static void AddCsat(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<CsatSettings>(builder.Configuration.GetSection(CsatSettings.Section));
        builder.Services.AddSingleton<CsatToken>();
    }

    public static ModelBuilder AddCsat(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CsatSurvey>(survey =>
        {
            survey.ToTable("csat_surveys");
            survey.Property(s => s.AgentId).HasMaxLength(200);
            survey.Property(s => s.Rating).HasMaxLength(10);
            survey.Property(s => s.Comment).HasMaxLength(CsatSurvey.CommentMaxLength);
            survey.HasIndex(s => new { s.TenantId, s.TicketId });
            // Results by period.
            survey.HasIndex(s => new { s.TenantId, s.RatedAt }).HasFilter("rated_at IS NOT NULL");
        });
        return modelBuilder;
    }

    /// <summary>
    /// Call where a ticket's status changes, before saving: when it became solved, the requester (if they may get
    /// email) is asked how it went. Solved again after a reopening, they are asked again about the new answer.
    /// </summary>
    public static async Task OnStatusChangedAsync(ServiceDbContext db, Ticket ticket, string previousStatus, DateTime now, CancellationToken cancellationToken)
    {
        if (ticket.Status != TicketStatuses.Solved || previousStatus == TicketStatuses.Solved
            || await TicketReplyEmail.RecipientAsync(db, ticket, cancellationToken) is not { } to)
        {
            return;
        }
        var settings = TicketReplyEmail.AppService<IOptions<CsatSettings>>(db).Value;
        var survey = db.CsatSurveys.Add(new CsatSurvey
        {
            TicketId = ticket.Id,
            TicketNumber = ticket.Number,
            RequesterId = ticket.RequesterId,
            AgentId = ticket.AssigneeId,
            GroupId = ticket.GroupId,
            CreatedAt = now,
            ExpiresAt = now + settings.LinkLifetime,
        }).Entity;
        var token = TicketReplyEmail.AppService<CsatToken>(db).Create(survey.Id, survey.ExpiresAt);
        var link = $"{settings.RatingUrl.TrimEnd('/')}/{token}";
        var (subject, text, html) = Compose(ticket, link);
        db.OutgoingEmails.Add(OutgoingEmail.Create(to, subject, text, html, survey.ExpiresAt, now, from: await TicketReplyEmail.SenderAsync(db, ticket.GroupId, cancellationToken)));
    }

    public static (string Subject, string Text, string Html) Compose(Ticket ticket, string link)
    {
        var subject = $"How did we do? {TicketReplyEmail.Subject(ticket)[4..]}";
        var good = $"{link}?rating={CsatRatings.Good}";
        var bad = $"{link}?rating={CsatRatings.Bad}";
        var text = $"Hello,\r\n\r\nyour request #{ticket.Number} \"{ticket.Subject}\" is solved. How satisfied are you with our help?\r\n\r\n"
            + $"Good: {good}\r\nBad: {bad}\r\n\r\nOne click opens a page where you confirm your rating (and may add a comment).\r\n";
        var e = HtmlEncoder.Default;
        var html = $"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>{e.Encode(subject)}</title></head>
            <body style="font-family:sans-serif">
            <p>Hello,</p>
            <p>your request #{ticket.Number} "{e.Encode(ticket.Subject)}" is solved. How satisfied are you with our help?</p>
            <p><a href="{e.Encode(good)}">Good</a> &nbsp; <a href="{e.Encode(bad)}">Bad</a></p>
            </body></html>
            """;
        return (subject, text, html);
    }

    /// <summary>The survey a token names, across tenants (the token carries none), and whether it can still be rated.</summary>
    public static async Task<(RatingOutcome Outcome, CsatSurvey? Survey)> InspectAsync(
        ServiceDbContext db, CsatToken tokens, string token, DateTime now, CancellationToken cancellationToken)
    {
        if (tokens.Read(token) is not { } read)
        {
            return (RatingOutcome.Invalid, null);
        }
        var survey = await db.CsatSurveys.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(s => s.Id == read.SurveyId, cancellationToken);
        return (read.ExpiresAt <= now && survey is { Rating: null } ? RatingOutcome.Expired : Outcome(survey, now), survey);
    }

    /// <summary>
    /// Records the rating once, with <see cref="CsatReceived"/> in the same transaction; the survey's row is locked, so
    /// two clicks at once rate once.
    /// </summary>
    public static async Task<RatingOutcome> RateAsync(
        ServiceDbContext db, ServiceDefaults.TenantContext tenant, CsatToken tokens, string token, string rating, string? comment, DateTime now,
        CancellationToken cancellationToken)
    {
        if (tokens.Read(token) is not { } read)
        {
            return RatingOutcome.Invalid;
        }
        if (read.ExpiresAt <= now)
        {
            return RatingOutcome.Expired;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var survey = await db.CsatSurveys.FromSql($"SELECT * FROM csat_surveys WHERE id = {read.SurveyId} FOR UPDATE")
            .IgnoreQueryFilters().SingleOrDefaultAsync(cancellationToken);
        if (Outcome(survey, now) is not RatingOutcome.Rated and var ended)
        {
            return ended;
        }
        tenant.TenantId = survey!.TenantId;
        tenant.ActorId = Actor;
        survey.Rate(rating, comment, now);
        db.AddEvent(new CsatReceived(Guid.CreateVersion7(), now, survey.TenantId, survey.Id, 1, survey.TicketId, survey.TicketNumber,
            survey.RequesterId, rating, survey.Comment is not null, survey.AgentId, survey.GroupId, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return RatingOutcome.Rated;
    }

    /// <summary><see cref="RatingOutcome.Rated"/> means "can be rated".</summary>
    private static RatingOutcome Outcome(CsatSurvey? survey, DateTime now) => survey switch
    {
        null => RatingOutcome.Invalid,
        { Rating: not null } => RatingOutcome.AlreadyRated,
        _ when survey.ExpiresAt <= now => RatingOutcome.Expired,
        _ => RatingOutcome.Rated,
    };
}
