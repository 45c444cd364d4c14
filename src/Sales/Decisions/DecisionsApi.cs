using CrmPlatform.Persistence;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Decisions;

/// <summary>
/// How the customer decides, on each opportunity (<c>/api/v1/opportunities/{id}/…</c>): the buying centre, the
/// decision criteria, objections and risks, the customer's next commitment and, once closed, the decision. Reading and
/// writing them is reading and updating the opportunity: its permissions and record scope apply (404 out of scope).
/// </summary>
public static class DecisionsApi
{
    private const string OpportunityResource = "opportunity";

    public static RouteGroupBuilder MapDecisionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/opportunities/{id:guid}").WithTags("Decisions");
        api.MapGet("/decisions", GetDecisions).RequirePermission(Permissions.Opportunities, Operation.Read);
        MapPart<BuyingCentreMember, BuyingCentreMemberRequest, BuyingCentreMemberResponse>(api, "buying-centre", "BuyingCentreMember", "buying centre member", db => db.BuyingCentreMembers, async (db, member, cancellationToken) =>
            BuyingCentreMemberResponse.From(member, (await DecisionContacts.DisplayNamesAsync(db, [member.ContactId], cancellationToken)).GetValueOrDefault(member.ContactId)));
        MapPart<DecisionCriterion, DecisionCriterionRequest, DecisionCriterionResponse>(api, "criteria", "DecisionCriterion", "decision criterion", db => db.DecisionCriteria, (_, criterion, _) => Task.FromResult(DecisionCriterionResponse.From(criterion)));
        MapPart<DealRisk, DealRiskRequest, DealRiskResponse>(api, "risks", "DealRisk", "objection or risk", db => db.DealRisks, (_, risk, _) => Task.FromResult(DealRiskResponse.From(risk)));
        api.MapPost("/commitments", CommitmentsEndpoints.Commit).RequirePermission(Permissions.Opportunities, Operation.Update);
        api.MapPut("/commitments/{commitmentId:guid}", CommitmentsEndpoints.Resolve).RequirePermission(Permissions.Opportunities, Operation.Update);
        api.MapGet("/decision", DecisionEndpoints.GetDecision).RequirePermission(Permissions.Opportunities, Operation.Read)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPut("/decision", DecisionEndpoints.RecordDecision).RequirePermission(Permissions.Opportunities, Operation.Update);
        return api;
    }

    public static async Task<Results<Ok<OpportunityDecisionsResponse>, ProblemHttpResult>> GetDecisions(
        Guid id, SalesDbContext db, CancellationToken cancellationToken)
    {
        if (!await OpportunityVisibleAsync(db, id, cancellationToken))
        {
            return ApiProblems.NotFound(OpportunityResource, id);
        }
        var members = await db.BuyingCentreMembers.AsNoTracking().Where(m => m.OpportunityId == id).OrderBy(m => m.CreatedAt).ToListAsync(cancellationToken);
        var names = await DecisionContacts.DisplayNamesAsync(db, members.Select(m => m.ContactId), cancellationToken);
        var criteria = await db.DecisionCriteria.AsNoTracking().Where(c => c.OpportunityId == id).OrderBy(c => c.CreatedAt).ToListAsync(cancellationToken);
        var risks = await db.DealRisks.AsNoTracking().Where(r => r.OpportunityId == id).OrderBy(r => r.CreatedAt).ToListAsync(cancellationToken);
        var commitments = await db.CustomerCommitments.AsNoTracking().Where(c => c.OpportunityId == id)
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).ToListAsync(cancellationToken);
        var decision = await db.DealDecisions.AsNoTracking().SingleOrDefaultAsync(d => d.OpportunityId == id, cancellationToken);
        return TypedResults.Ok(new OpportunityDecisionsResponse(id,
            [.. members.Select(m => BuyingCentreMemberResponse.From(m, names.GetValueOrDefault(m.ContactId)))],
            [.. criteria.Select(DecisionCriterionResponse.From)],
            [.. risks.Select(DealRiskResponse.From)],
            commitments.Where(c => c.Status == DecisionVocabulary.Current).Select(CommitmentResponse.From).SingleOrDefault(),
            [.. commitments.Select(CommitmentResponse.From)],
            decision is null ? null : DecisionResponse.From(decision)));
    }

    /// <summary>The opportunity's record scope decides: one the caller cannot see has no decision for them.</summary>
    internal static Task<bool> OpportunityVisibleAsync(SalesDbContext db, Guid id, CancellationToken cancellationToken) =>
        db.Opportunities.AnyAsync(o => o.Id == id, cancellationToken);

    /// <summary>POST, PUT (If-Match) and DELETE (If-Match) of a part kept as a list on the opportunity.</summary>
    private static void MapPart<TPart, TRequest, TResponse>(
        RouteGroupBuilder api, string path, string name, string resource, Func<SalesDbContext, DbSet<TPart>> set,
        Func<SalesDbContext, TPart, CancellationToken, Task<TResponse>> respond)
        where TPart : OpportunityPart, new() where TRequest : IPartRequest<TPart>
    {
        api.MapPost($"/{path}", async Task<Results<Created<TResponse>, ValidationProblem, ProblemHttpResult>> (
            Guid id, TRequest request, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken) =>
        {
            var errors = request.Validate();
            if (!errors.IsValid)
            {
                return TypedResults.ValidationProblem(errors);
            }
            if (!await OpportunityVisibleAsync(db, id, cancellationToken))
            {
                return ApiProblems.NotFound(OpportunityResource, id);
            }
            if (await DecisionContacts.CheckAsync(db, ContactField(request), request.ContactIds(), [], cancellationToken) is { } unusable)
            {
                return unusable;
            }
            var part = new TPart { OpportunityId = id };
            request.ApplyTo(part);
            set(db).Add(part);
            if (await SaveAsync(db, resource, part.Id, cancellationToken) is { } problem)
            {
                return problem;
            }
            ETags.Set(response, part.Version);
            return TypedResults.Created($"/api/v1/opportunities/{id}/{path}/{part.Id}", await respond(db, part, cancellationToken));
        }).WithName($"add{name}").RequirePermission(Permissions.Opportunities, Operation.Update);

        api.MapPut($"/{path}/{{partId:guid}}", async Task<Results<Ok<TResponse>, ValidationProblem, ProblemHttpResult>> (
            Guid id, Guid partId, TRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken) =>
        {
            var errors = request.Validate();
            if (!errors.IsValid)
            {
                return TypedResults.ValidationProblem(errors);
            }
            if (await FindAsync(db, set, id, partId, resource, cancellationToken) is not { } part)
            {
                return ApiProblems.NotFound(resource, partId);
            }
            if (ETags.CheckIfMatch(http.Request, part.Version, out _) is { } precondition)
            {
                return precondition;
            }
            if (await DecisionContacts.CheckAsync(db, ContactField(request), request.ContactIds(), NamedBy(part), cancellationToken) is { } unusable)
            {
                return unusable;
            }
            request.ApplyTo(part);
            if (await SaveAsync(db, resource, part.Id, cancellationToken) is { } problem)
            {
                return problem;
            }
            ETags.Set(http.Response, part.Version);
            return TypedResults.Ok(await respond(db, part, cancellationToken));
        }).WithName($"update{name}").RequirePermission(Permissions.Opportunities, Operation.Update);

        api.MapDelete($"/{path}/{{partId:guid}}", async Task<Results<NoContent, ProblemHttpResult>> (
            Guid id, Guid partId, SalesDbContext db, HttpRequest request, CancellationToken cancellationToken) =>
        {
            if (await FindAsync(db, set, id, partId, resource, cancellationToken) is not { } part)
            {
                return ApiProblems.NotFound(resource, partId);
            }
            if (ETags.CheckIfMatch(request, part.Version, out _) is { } precondition)
            {
                return precondition;
            }
            set(db).Remove(part);
            return await SaveAsync(db, resource, part.Id, cancellationToken) is { } problem ? problem : TypedResults.NoContent();
        }).WithName($"delete{name}").RequirePermission(Permissions.Opportunities, Operation.Update);
    }

    private static async Task<TPart?> FindAsync<TPart>(
        SalesDbContext db, Func<SalesDbContext, DbSet<TPart>> set, Guid opportunityId, Guid partId, string resource, CancellationToken cancellationToken)
        where TPart : OpportunityPart =>
        await OpportunityVisibleAsync(db, opportunityId, cancellationToken)
            ? await set(db).SingleOrDefaultAsync(p => p.Id == partId && p.OpportunityId == opportunityId, cancellationToken)
            : null;

    private static string ContactField<TPart>(IPartRequest<TPart> request) =>
        request is DealRiskRequest ? "raisedByContactId" : "contactId";

    private static IEnumerable<Guid> NamedBy(OpportunityPart part) => part switch
    {
        BuyingCentreMember member => [member.ContactId],
        DealRisk { RaisedByContactId: { } raisedBy } => [raisedBy],
        _ => [],
    };

    /// <summary>Null when saved; 412 for a concurrent change, 409 for a second row of a person, 404 when the opportunity went.</summary>
    internal static async Task<ProblemHttpResult?> SaveAsync(SalesDbContext db, string resource, Guid id, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(resource, id);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict(resource == "buying centre member"
                ? "This person is already in the buying centre; change their entry instead."
                : $"Another {resource} was recorded at the same time; read the opportunity's decisions again and retry.");
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return ApiProblems.Conflict("The opportunity was deleted while this request ran.");
        }
    }
}
