using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Decisions;

/// <summary>
/// The decision of a closed opportunity: created by the won or lost move (<see cref="DealOutcomes"/>), completed or
/// corrected here with who decided, why and what they chose instead.
/// </summary>
internal static class DecisionEndpoints
{
    private const string Resource = "decision";

    public static async Task<Results<Ok<DecisionResponse>, ProblemHttpResult>> GetDecision(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var decision = await DecisionsApi.OpportunityVisibleAsync(db, id, cancellationToken)
            ? await db.DealDecisions.AsNoTracking().SingleOrDefaultAsync(d => d.OpportunityId == id, cancellationToken)
            : null;
        if (decision is null)
        {
            return await DecisionsApi.OpportunityVisibleAsync(db, id, cancellationToken)
                ? ApiProblems.Conflict("The opportunity is open: its decision is recorded when it is won or lost.")
                : ApiProblems.NotFound("opportunity", id);
        }
        ETags.Set(response, decision.Version);
        return TypedResults.Ok(DecisionResponse.From(decision));
    }

    public static async Task<Results<Ok<DecisionResponse>, ValidationProblem, ProblemHttpResult>> RecordDecision(
        Guid id, DecisionRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var opportunity = await db.Opportunities.AsNoTracking().Where(o => o.Id == id).Select(o => new { o.OwnerId }).SingleOrDefaultAsync(cancellationToken);
        if (opportunity is null)
        {
            return ApiProblems.NotFound("opportunity", id);
        }
        var decision = await db.DealDecisions.SingleOrDefaultAsync(d => d.OpportunityId == id, cancellationToken);
        if (decision is null)
        {
            return ApiProblems.Conflict("The opportunity is open: move it to a won or lost stage, then record how the customer decided.");
        }
        if (ETags.CheckIfMatch(http.Request, decision.Version, out _) is { } precondition)
        {
            return precondition;
        }
        var deciders = request.DecidedByContactIds?.Distinct().ToList() ?? [];
        if (await DecisionContacts.CheckAsync(db, "decidedByContactIds", deciders, decision.DecidedByContactIds, cancellationToken) is { } unusable)
        {
            return unusable;
        }
        decision.DecidedByContactIds = deciders;
        decision.Reason = VocabularyErrors.Text(request.Reason);
        decision.AlternativeChosen = VocabularyErrors.Text(request.AlternativeChosen);
        db.Stamp();
        db.AddEvent(new DealDecisionRecorded(Guid.CreateVersion7(), decision.UpdatedAt, decision.TenantId, decision.Id, decision.Version,
            id, decision.Outcome, decision.DecidedByContactIds, decision.AlternativeChosen, decision.IsComplete, opportunity.OwnerId));
        if (await DecisionsApi.SaveAsync(db, Resource, decision.Id, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(http.Response, decision.Version);
        return TypedResults.Ok(DecisionResponse.From(decision));
    }
}
