using System.Text.RegularExpressions;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Decisions;
using CrmPlatform.Sales.Forecast;
using CrmPlatform.Sales.Model;
using CrmPlatform.Sales.Pipelines;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Apis;

/// <summary>
/// An opportunity as written. <c>pipelineId</c> defaults to the tenant's default pipeline (to the opportunity's own on
/// an update), <c>stage</c> to the pipeline's first stage (to where the opportunity is on an update); entering a stage
/// keeps its rules (<see cref="Pipeline.CheckEntry"/>): a lost stage asks for <c>lostReason</c> and may name a
/// <c>competitor</c>.
/// </summary>
public sealed partial record OpportunityRequest(
    string? Name, decimal? Amount, string? Currency, Guid? CustomerId, string? Stage, DateOnly? ExpectedCloseDate,
    Guid? PipelineId = null, string? LostReason = null, string? Competitor = null)
{
    public LossDetails Loss() => new(LostReason, Competitor);

    public FieldErrors Validate() => new FieldErrors()
        .Required("name", Name, Opportunity.NameMaxLength)
        .When(Amount is null, "amount", "amount is required.")
        .When(Amount < 0, "amount", "amount cannot be negative.")
        .When(Amount is not null && decimal.Round(Amount.Value, 2) != Amount, "amount", "amount has at most two decimals.")
        .When(Currency is null || !CurrencyCode().IsMatch(Currency), "currency", "currency must be an ISO 4217 code such as EUR.")
        .When(CustomerId is null || CustomerId == Guid.Empty, "customerId", "customerId is required.");

    /// <summary>Everything but where it is in its pipeline, which only <see cref="Opportunity.Open"/> and <see cref="Opportunity.MoveTo"/> change.</summary>
    public void ApplyTo(Opportunity opportunity)
    {
        opportunity.Name = Name!.Trim();
        opportunity.Amount = Amount!.Value;
        opportunity.Currency = Currency!;
        opportunity.CustomerId = CustomerId!.Value;
        opportunity.ExpectedCloseDate = ExpectedCloseDate;
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();
}

public sealed record CustomerReference(Guid Id, string DisplayName, ContactKind Kind);

public sealed record OpportunityResponse(
    Guid Id, string Name, decimal Amount, string Currency, CustomerReference Customer, Guid PipelineId, string Stage, DateTime StageEnteredAt,
    DateOnly? ExpectedCloseDate, DateTime? ClosedAt, string? LostReason, string? Competitor,
    string? OwnerId, DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static OpportunityResponse From(Opportunity o, DirectoryContact customer) => new(
        o.Id, o.Name, o.Amount, o.Currency, new CustomerReference(customer.Id, customer.DisplayName, customer.Kind),
        o.PipelineId, o.Stage, o.StageEnteredAt, o.ExpectedCloseDate, o.ClosedAt, o.LostReason, o.Competitor,
        o.OwnerId, o.CreatedAt, o.CreatedBy, o.UpdatedAt, o.UpdatedBy, o.Version);
}

public static class OpportunitiesApi
{
    private const string Resource = "opportunity";

    public static RouteGroupBuilder MapOpportunitiesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/opportunities").WithTags("Opportunities");
        api.MapGet("/", ListOpportunities).Lists(ListFields).RequirePermission(Permissions.Opportunities, Operation.Read);
        api.MapGet("/{id:guid}", GetOpportunity).RequirePermission(Permissions.Opportunities, Operation.Read);
        api.MapPost("/", CreateOpportunity).RequirePermission(Permissions.Opportunities, Operation.Create);
        api.MapPut("/{id:guid}", UpdateOpportunity).RequirePermission(Permissions.Opportunities, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteOpportunity).RequirePermission(Permissions.Opportunities, Operation.Delete);
        return api;
    }

    private static readonly ListFields<Opportunity> ListFields = new ListFields<Opportunity>()
        .Filter("stage", o => o.Stage)
        .Filter("currency", o => o.Currency, currency => currency.ToUpperInvariant())
        .Filter("customerId", o => o.CustomerId)
        .Filter("pipelineId", o => o.PipelineId)
        .Filter("closed", o => o.ClosedAt != null)
        .Sort("updatedAt", o => o.UpdatedAt)
        .Sort("name", o => o.Name)
        .Sort("amount", o => o.Amount)
        .Sort("stage", o => o.Stage);

    public static async Task<Results<Ok<CursorPage<OpportunityResponse>>, ValidationProblem>> ListOpportunities(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Opportunity>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var opportunities = await list.ToPageAsync(db.Opportunities.AsNoTracking(), o => o, cancellationToken);
        var customerIds = opportunities.Items.Select(o => o.CustomerId).Distinct().ToList();
        var customers = await db.DirectoryContacts.AsNoTracking()
            .Where(c => customerIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        var items = opportunities.Items.Select(o => OpportunityResponse.From(o, customers[o.CustomerId])).ToList();
        return TypedResults.Ok(new CursorPage<OpportunityResponse>(items, opportunities.NextCursor));
    }

    public static async Task<Results<Ok<OpportunityResponse>, ProblemHttpResult>> GetOpportunity(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var found = await (
                from o in db.Opportunities.AsNoTracking()
                join c in db.DirectoryContacts.AsNoTracking() on o.CustomerId equals c.Id
                where o.Id == id
                select new { Opportunity = o, Customer = c })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, found.Opportunity.Version);
        return TypedResults.Ok(OpportunityResponse.From(found.Opportunity, found.Customer));
    }

    public static async Task<Results<Created<OpportunityResponse>, ValidationProblem, ProblemHttpResult>> CreateOpportunity(
        OpportunityRequest request, SalesDbContext db, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (await TenantPipelines.ForAsync(db, request.PipelineId, current: null, cancellationToken) is not { } pipeline)
        {
            return errors.IsValid ? TenantPipelines.Unknown(request.PipelineId!.Value) : TypedResults.ValidationProblem(errors);
        }
        if (StageMoves.Resolve(pipeline, request.Stage, current: null, request.Loss(), errors) is not { } stage || !errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var customer = await FindCustomerAsync(db, request.CustomerId!.Value, cancellationToken);
        if (customer is null)
        {
            return UnknownCustomer(request.CustomerId.Value);
        }
        if (customer.ProcessingRestricted)
        {
            return RestrictedCustomer(customer.Id);
        }

        var opportunity = new Opportunity();
        request.ApplyTo(opportunity);
        var missing = opportunity.Open(pipeline, stage, request.Loss(), db.Actor, clock.GetUtcNow().UtcDateTime);
        if (!missing.IsValid)
        {
            return StageMoves.Refused(stage, missing);
        }
        db.Opportunities.Add(opportunity);
        if (await SaveAsync(db, opportunity, stage, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(response, opportunity.Version);
        return TypedResults.Created($"/api/v1/opportunities/{opportunity.Id}", OpportunityResponse.From(opportunity, customer));
    }

    public static Task<Results<Ok<OpportunityResponse>, ValidationProblem, ProblemHttpResult>> UpdateOpportunity(
        Guid id, OpportunityRequest request, SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken) =>
        ChangeAsync(id, request.Validate(), request.PipelineId, request.Stage, request.Loss(), async opportunity =>
        {
            var customer = await FindCustomerAsync(db, request.CustomerId!.Value, cancellationToken);
            if (customer is null)
            {
                return UnknownCustomer(request.CustomerId.Value);
            }
            CloseDateChanges.Track(db, opportunity, request.ExpectedCloseDate, clock);
            // The new values count for the stage's required fields: one request may give the amount and enter the stage.
            request.ApplyTo(opportunity);
            return null;
        }, db, http, clock, cancellationToken);

    /// <summary>
    /// A write to an existing opportunity (an update, or only a move): 404 and If-Match first, then the pipeline and
    /// stage it asks for, then <paramref name="change"/>, then the move under the stage's rules, saved with its events.
    /// </summary>
    internal static async Task<Results<Ok<OpportunityResponse>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        Guid id, FieldErrors errors, Guid? pipelineId, string? stageKey, LossDetails loss, Func<Opportunity, Task<ProblemHttpResult?>> change,
        SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var opportunity = await db.Opportunities.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (opportunity is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, opportunity.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await TenantPipelines.ForAsync(db, pipelineId, opportunity, cancellationToken) is not { } pipeline)
        {
            return TenantPipelines.Unknown(pipelineId!.Value);
        }
        if (StageMoves.Resolve(pipeline, stageKey, opportunity, loss, errors) is not { } stage || !errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await change(opportunity) is { } refused)
        {
            return refused;
        }
        var missing = opportunity.MoveTo(pipeline, stage, loss, db.Actor, clock.GetUtcNow().UtcDateTime);
        if (!missing.IsValid)
        {
            return StageMoves.Refused(stage, missing);
        }
        if (await SaveAsync(db, opportunity, stage, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(http.Response, opportunity.Version);
        return TypedResults.Ok(OpportunityResponse.From(opportunity, await CustomerOfAsync(db, opportunity, cancellationToken)));
    }

    /// <summary>
    /// Saves the opportunity with the events of its changes, in one commit; null when saved. Entering
    /// <paramref name="stage"/> checks, under a lock, that a concurrent change of the pipeline has not taken it away.
    /// </summary>
    private static async Task<ProblemHttpResult?> SaveAsync(SalesDbContext db, Opportunity opportunity, PipelineStage stage, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (opportunity.EnteredStage && !await TenantPipelines.StillHasStageAsync(db, opportunity.PipelineId, stage, cancellationToken))
        {
            return ApiProblems.Conflict($"The pipeline changed while this request ran and no longer has the {Pipeline.KindName(stage.Kind)} stage '{stage.Key}'; read it again and retry.");
        }
        if (opportunity.EnteredStage || stage.Kind != StageKind.Open)
        {
            await DealOutcomes.RecordAsync(db, opportunity, stage, cancellationToken);
        }
        db.Stamp();
        foreach (var integrationEvent in opportunity.TakeEvents())
        {
            db.AddEvent(integrationEvent);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, opportunity.Id);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteOpportunity(
        Guid id, SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var version = await db.Opportunities.Where(o => o.Id == id).Select(o => (int?)o.Version).SingleOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, version.Value, out _) is { } precondition)
        {
            return precondition;
        }
        // Deletes only the version the client saw: a change in between leaves the row, and the client re-reads.
        var deleted = await db.Opportunities.Where(o => o.Id == id && o.Version == version).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? ApiProblems.ConcurrentUpdate(Resource, id) : TypedResults.NoContent();
    }

    /// <summary>The customer an existing opportunity shows, even one deleted from Contacts since.</summary>
    private static Task<DirectoryContact> CustomerOfAsync(SalesDbContext db, Opportunity opportunity, CancellationToken cancellationToken) =>
        db.DirectoryContacts.AsNoTracking().SingleAsync(c => c.Id == opportunity.CustomerId, cancellationToken);

    private static Task<DirectoryContact?> FindCustomerAsync(SalesDbContext db, Guid customerId, CancellationToken cancellationToken) =>
        db.DirectoryContacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == customerId && !c.IsDeleted, cancellationToken);

    /// <summary>GDPR Art. 18: while processing is restricted, the person's data is kept but put to no new use.</summary>
    private static ProblemHttpResult RestrictedCustomer(Guid customerId) => ApiProblems.Unprocessable(
        $"The person '{customerId}' has restricted the processing of their data; no new opportunities can be created for them.",
        new Dictionary<string, string[]> { ["customerId"] = ["Processing of this person's data is restricted."] });

    private static ProblemHttpResult UnknownCustomer(Guid customerId) => ApiProblems.Unprocessable(
        $"Sales knows no person or organization with id '{customerId}'. A contact created moments ago may still be on its way from Contacts.",
        new Dictionary<string, string[]> { ["customerId"] = [$"Unknown customer '{customerId}'."] });
}
