using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Decisions;

public sealed record AlternativeTotal(string Currency, decimal Amount);

/// <summary>Closed deals of one outcome that went to one alternative (null: not recorded), with their amounts per currency.</summary>
public sealed record AlternativeSummary(string? AlternativeChosen, int Count, int Incomplete, IReadOnlyList<AlternativeTotal> Totals);

/// <summary>
/// The decisions across opportunities (<c>/api/v1/decisions/…</c>): lists with filters and cursors, and the losses
/// (or wins) by the alternative the customer chose. Only opportunities in the caller's record scope count.
/// </summary>
public static class DecisionReportsApi
{
    public static RouteGroupBuilder MapDecisionReportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/decisions").WithTags("Decisions");
        api.MapGet("/buying-centre", ListBuyingCentre).Lists(MemberFields).RequirePermission(Permissions.Opportunities, Operation.Read);
        api.MapGet("/risks", ListRisks).Lists(RiskFields).RequirePermission(Permissions.Opportunities, Operation.Read);
        api.MapGet("/commitments", ListCommitments).Lists(CommitmentFields).RequirePermission(Permissions.Opportunities, Operation.Read);
        api.MapGet("/outcomes", ListOutcomes).Lists(DecisionFields).RequirePermission(Permissions.Opportunities, Operation.Read);
        api.MapGet("/outcomes/by-alternative", OutcomesByAlternative).RequirePermission(Permissions.Opportunities, Operation.Read);
        return api;
    }

    private static readonly ListFields<BuyingCentreMember> MemberFields = new ListFields<BuyingCentreMember>()
        .Filter("opportunityId", m => m.OpportunityId)
        .Filter("contactId", m => m.ContactId)
        .Filter("role", m => m.Role)
        .Filter("attitude", m => m.Attitude)
        .Filter("influence", m => m.Influence)
        .Sort("updatedAt", m => m.UpdatedAt);

    private static readonly ListFields<DealRisk> RiskFields = new ListFields<DealRisk>()
        .Filter("opportunityId", r => r.OpportunityId)
        .Filter("kind", r => r.Kind)
        .Filter("status", r => r.Status)
        .Filter("raisedByContactId", r => r.RaisedByContactId)
        .Sort("updatedAt", r => r.UpdatedAt);

    private static readonly ListFields<CustomerCommitment> CommitmentFields = new ListFields<CustomerCommitment>()
        .Filter("opportunityId", c => c.OpportunityId)
        .Filter("status", c => c.Status)
        .Filter("contactId", c => c.ContactId)
        .Filter("dueBefore", value => DateOnly.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var date)
            ? c => c.DueBy < date : null)
        .Sort("dueBy", c => c.DueBy);

    private static readonly ListFields<DealDecision> DecisionFields = new ListFields<DealDecision>()
        .Filter("opportunityId", d => d.OpportunityId)
        .Filter("outcome", d => d.Outcome)
        .Filter("alternativeChosen", d => d.AlternativeChosen)
        .Filter("decidedBy", value => Guid.TryParse(value, out var contact) ? d => d.DecidedByContactIds.Contains(contact) : null)
        .Filter("complete", value => bool.TryParse(value, out var complete)
            ? complete ? Complete : Incomplete
            : null)
        .Sort("decidedAt", d => d.DecidedAt);

    private static readonly System.Linq.Expressions.Expression<Func<DealDecision, bool>> Complete = d =>
        d.DecidedByContactIds.Count > 0 && d.Reason != null && (d.Outcome == DecisionVocabulary.Won || d.AlternativeChosen != null);

    private static readonly System.Linq.Expressions.Expression<Func<DealDecision, bool>> Incomplete = d =>
        !(d.DecidedByContactIds.Count > 0 && d.Reason != null && (d.Outcome == DecisionVocabulary.Won || d.AlternativeChosen != null));

    public static async Task<Results<Ok<CursorPage<BuyingCentreMemberResponse>>, ValidationProblem>> ListBuyingCentre(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<BuyingCentreMember>.TryParse(request.Query, MemberFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var page = await list.ToPageAsync(InScope(db, db.BuyingCentreMembers), m => m, cancellationToken);
        var names = await DecisionContacts.DisplayNamesAsync(db, page.Items.Select(m => m.ContactId), cancellationToken);
        return TypedResults.Ok(new CursorPage<BuyingCentreMemberResponse>(
            [.. page.Items.Select(m => BuyingCentreMemberResponse.From(m, names.GetValueOrDefault(m.ContactId)))], page.NextCursor));
    }

    public static async Task<Results<Ok<CursorPage<DealRiskResponse>>, ValidationProblem>> ListRisks(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken) =>
        ListQuery<DealRisk>.TryParse(request.Query, RiskFields, out var list, out var errors)
            ? TypedResults.Ok(await list.ToPageAsync(InScope(db, db.DealRisks), DealRiskResponse.From, cancellationToken))
            : TypedResults.ValidationProblem(errors);

    public static async Task<Results<Ok<CursorPage<CommitmentResponse>>, ValidationProblem>> ListCommitments(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken) =>
        ListQuery<CustomerCommitment>.TryParse(request.Query, CommitmentFields, out var list, out var errors)
            ? TypedResults.Ok(await list.ToPageAsync(InScope(db, db.CustomerCommitments), CommitmentResponse.From, cancellationToken))
            : TypedResults.ValidationProblem(errors);

    public static async Task<Results<Ok<CursorPage<DecisionResponse>>, ValidationProblem>> ListOutcomes(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken) =>
        ListQuery<DealDecision>.TryParse(request.Query, DecisionFields, out var list, out var errors)
            ? TypedResults.Ok(await list.ToPageAsync(InScope(db, db.DealDecisions), DecisionResponse.From, cancellationToken))
            : TypedResults.ValidationProblem(errors);

    /// <summary>"What do we lose to?": the decisions of one outcome (default lost) by alternative, most frequent first.</summary>
    public static async Task<Results<Ok<IReadOnlyList<AlternativeSummary>>, ValidationProblem>> OutcomesByAlternative(
        string? outcome, DateOnly? from, DateOnly? to, SalesDbContext db, CancellationToken cancellationToken)
    {
        outcome ??= DecisionVocabulary.Lost;
        var errors = new FieldErrors()
            .OneOf("outcome", outcome, [DecisionVocabulary.Won, DecisionVocabulary.Lost])
            .When(from > to, "from", "from is after to.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var fromTime = from?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var toTime = to?.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var rows = await (
                from d in db.DealDecisions.AsNoTracking()
                join o in db.Opportunities.AsNoTracking() on d.OpportunityId equals o.Id
                where d.Outcome == outcome && (fromTime == null || d.DecidedAt >= fromTime) && (toTime == null || d.DecidedAt < toTime)
                group new { o.Amount, Complete = d.DecidedByContactIds.Count > 0 && d.Reason != null && (d.Outcome == DecisionVocabulary.Won || d.AlternativeChosen != null) }
                    by new { d.AlternativeChosen, o.Currency } into g
                select new { g.Key.AlternativeChosen, g.Key.Currency, Count = g.Count(), Incomplete = g.Count(x => !x.Complete), Amount = g.Sum(x => x.Amount) })
            .ToListAsync(cancellationToken);
        IReadOnlyList<AlternativeSummary> summaries = [.. rows.GroupBy(r => r.AlternativeChosen)
            .Select(g => new AlternativeSummary(g.Key, g.Sum(r => r.Count), g.Sum(r => r.Incomplete),
                [.. g.OrderBy(r => r.Currency, StringComparer.Ordinal).Select(r => new AlternativeTotal(r.Currency, r.Amount))]))
            .OrderByDescending(s => s.Count).ThenBy(s => s.AlternativeChosen, StringComparer.Ordinal)];
        return TypedResults.Ok(summaries);
    }

    /// <summary>The parts of opportunities the caller sees: the opportunities' record-scope filter decides.</summary>
    private static IQueryable<TPart> InScope<TPart>(SalesDbContext db, DbSet<TPart> parts) where TPart : OpportunityPart =>
        parts.AsNoTracking().Where(p => db.Opportunities.Any(o => o.Id == p.OpportunityId));
}
