using System.Text.Encodings.Web;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Csat;

public sealed record CsatResultRow(string? Key, int Count, int Good, int Bad, double ScorePercent);

public sealed record CsatResults(string GroupBy, DateTime? From, DateTime? To, IReadOnlyList<CsatResultRow> Rows);

/// <summary>
/// <c>/api/v1/help-centre/csat/{token}</c>: the requester's rating page, anonymous. GET only shows the question (mail
/// scanners open links; a look must not rate), the page's POST rates. <c>/api/v1/csat/results</c>: the desk's figures.
/// </summary>
public static class CsatApi
{
    private const int TokenMaxLength = 100;

    public static void MapCsatApi(this IEndpointRouteBuilder app)
    {
        var page = app.MapGroup("/api/v1/help-centre/csat/{token}").WithTags("CSAT").AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        page.MapGet("/", ShowPage);
        page.MapPost("/", Rate);

        var api = app.MapGroup("/api/v1/csat").WithTags("CSAT");
        api.MapGet("/results", Results).RequirePermission(Permissions.Csat, Operation.Read);
    }

    public static async Task<ContentHttpResult> ShowPage(
        string token, string? rating, ServiceDbContext db, CsatToken tokens, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (outcome, _) = token.Length > TokenMaxLength ? (RatingOutcome.Invalid, null)
            : await CsatSurveys.InspectAsync(db, tokens, token, clock.GetUtcNow().UtcDateTime, cancellationToken);
        if (outcome != RatingOutcome.Rated)
        {
            return Ended(outcome);
        }
        var e = HtmlEncoder.Default;
        string Option(string value, string label) =>
            $"""<label><input type="radio" name="rating" value="{value}"{(rating == value ? " checked" : "")} required> {label}</label><br>""";
        return Page(StatusCodes.Status200OK, "How did we do?", $"""
            <form method="post" action="{e.Encode(token)}">
            <p>{Option(CsatRatings.Good, "Good, I am satisfied")}{Option(CsatRatings.Bad, "Bad, I am not satisfied")}</p>
            <p><label>Comment (optional)<br><textarea name="comment" rows="4" cols="50" maxlength="{CsatSurvey.CommentMaxLength}"></textarea></label></p>
            <p><button type="submit">Send rating</button></p>
            </form>
            """);
    }

    public static async Task<ContentHttpResult> Rate(
        string token, HttpRequest request, ServiceDbContext db, TenantContext tenant, CsatToken tokens, TimeProvider clock, CancellationToken cancellationToken)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync(cancellationToken) : null;
        var rating = form?["rating"].ToString();
        if (rating is null || !CsatRatings.All.Contains(rating))
        {
            return Page(StatusCodes.Status400BadRequest, "Choose a rating", "Please go back and choose good or bad.");
        }
        var outcome = token.Length > TokenMaxLength ? RatingOutcome.Invalid
            : await CsatSurveys.RateAsync(db, tenant, tokens, token, rating, form?["comment"].ToString(), clock.GetUtcNow().UtcDateTime, cancellationToken);
        return outcome == RatingOutcome.Rated ? Page(StatusCodes.Status200OK, "Thank you", "Your rating has been recorded.") : Ended(outcome);
    }

    public static async Task<Results<Ok<CsatResults>, ValidationProblem>> Results(
        string? groupBy, DateTime? from, DateTime? to, ServiceDbContext db, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(groupBy is not ("agent" or "group"), "groupBy", "groupBy must be agent or group.")
            .When(from is not null && to is not null && from > to, "from", "from must not be after to.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var fromUtc = from?.ToUniversalTime();
        var toUtc = to?.ToUniversalTime();
        var rated = db.CsatSurveys.AsNoTracking().Where(s => s.RatedAt != null
            && (fromUtc == null || s.RatedAt >= fromUtc) && (toUtc == null || s.RatedAt < toUtc));
        var rows = groupBy == "agent"
            ? await rated.GroupBy(s => s.AgentId).Select(g => new { Key = g.Key, Count = g.Count(), Good = g.Count(s => s.Rating == CsatRatings.Good) })
                .ToListAsync(cancellationToken)
            : (await rated.GroupBy(s => s.GroupId).Select(g => new { Key = g.Key, Count = g.Count(), Good = g.Count(s => s.Rating == CsatRatings.Good) })
                .ToListAsync(cancellationToken)).Select(r => new { Key = r.Key?.ToString(), r.Count, r.Good }).ToList();
        return TypedResults.Ok(new CsatResults(groupBy!, fromUtc, toUtc, [.. rows
            .Select(r => new CsatResultRow(r.Key, r.Count, r.Good, r.Count - r.Good, Math.Round(100.0 * r.Good / r.Count, 1)))
            .OrderBy(r => r.Key, StringComparer.Ordinal)]));
    }

    private static ContentHttpResult Ended(RatingOutcome outcome) => outcome switch
    {
        RatingOutcome.AlreadyRated => Page(StatusCodes.Status409Conflict, "Already rated", "This rating link has already been used; thank you."),
        RatingOutcome.Expired => Page(StatusCodes.Status410Gone, "Link expired", "This rating link has expired."),
        _ => Page(StatusCodes.Status404NotFound, "Not found", "This rating link is not valid."),
    };

    private static ContentHttpResult Page(int status, string title, string body)
    {
        var e = HtmlEncoder.Default;
        return TypedResults.Content($"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>{e.Encode(title)}</title></head>
            <body style="font-family:sans-serif"><h1>{e.Encode(title)}</h1>{(body.StartsWith('<') ? body : $"<p>{e.Encode(body)}</p>")}</body></html>
            """, "text/html; charset=utf-8", statusCode: status);
    }
}
