using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Decisions;

/// <summary>
/// The customer's next commitment: a new one becomes current and supersedes the one before (kept as history); the
/// current one is resolved as kept or missed, after which the opportunity has none until the next is agreed.
/// </summary>
internal static class CommitmentsEndpoints
{
    private const string Resource = "commitment";

    public static async Task<Results<Created<CommitmentResponse>, ValidationProblem, ProblemHttpResult>> Commit(
        Guid id, CommitmentRequest request, SalesDbContext db, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await DecisionsApi.OpportunityVisibleAsync(db, id, cancellationToken))
        {
            return ApiProblems.NotFound("opportunity", id);
        }
        if (await DecisionContacts.CheckAsync(db, "contactId", request.ContactId is { } contact ? [contact] : [], [], cancellationToken) is { } unusable)
        {
            return unusable;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var current = await db.CustomerCommitments.SingleOrDefaultAsync(c => c.OpportunityId == id && c.Status == DecisionVocabulary.Current, cancellationToken);
        if (current is not null)
        {
            current.Status = DecisionVocabulary.Superseded;
            current.ResolvedAt = now;
        }
        var commitment = new CustomerCommitment
        {
            OpportunityId = id, Description = request.Description!.Trim(), DueBy = request.DueBy!.Value, ContactId = request.ContactId,
        };
        db.CustomerCommitments.Add(commitment);
        // The superseded one is written first (one transaction), so the index that allows one current row holds.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (current is not null && await DecisionsApi.SaveAsync(db, Resource, current.Id, cancellationToken) is { } superseding)
        {
            return superseding;
        }
        if (await DecisionsApi.SaveAsync(db, Resource, commitment.Id, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(response, commitment.Version);
        return TypedResults.Created($"/api/v1/opportunities/{id}/decisions", CommitmentResponse.From(commitment));
    }

    public static async Task<Results<Ok<CommitmentResponse>, ValidationProblem, ProblemHttpResult>> Resolve(
        Guid id, Guid commitmentId, CommitmentOutcomeRequest request, SalesDbContext db, HttpContext http, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var commitment = await DecisionsApi.OpportunityVisibleAsync(db, id, cancellationToken)
            ? await db.CustomerCommitments.SingleOrDefaultAsync(c => c.Id == commitmentId && c.OpportunityId == id, cancellationToken)
            : null;
        if (commitment is null)
        {
            return ApiProblems.NotFound(Resource, commitmentId);
        }
        if (ETags.CheckIfMatch(http.Request, commitment.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (commitment.Status != DecisionVocabulary.Current)
        {
            return ApiProblems.Conflict($"The commitment is {commitment.Status}; only the current commitment can be resolved, and history is not rewritten.");
        }
        commitment.Status = request.Status!;
        commitment.ResolvedAt = clock.GetUtcNow().UtcDateTime;
        if (await DecisionsApi.SaveAsync(db, Resource, commitment.Id, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(http.Response, commitment.Version);
        return TypedResults.Ok(CommitmentResponse.From(commitment));
    }
}
