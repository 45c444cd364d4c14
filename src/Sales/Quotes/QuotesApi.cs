using System.Linq.Expressions;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Quotes;

/// <summary>
/// <c>/api/v1/quotes</c>: quotes on opportunities, their revisions and decisions, and a printable document. A quote is
/// seen by whoever sees its opportunity (record scopes follow the opportunity); anyone else gets 404. Changes of state
/// (send, accept, reject) need the If-Match of the version the client saw, since the customer decides on exactly that.
/// </summary>
public static class QuotesApi
{
    private const string Resource = "quote";

    public static RouteGroupBuilder MapQuotesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/quotes").WithTags("Quotes");
        api.MapGet("/", ListQuotes).Lists(ListFields(DateOnly.MinValue)).RequirePermission(Permissions.Quotes, Operation.Read);
        api.MapGet("/{id:guid}", GetQuote).RequirePermission(Permissions.Quotes, Operation.Read);
        api.MapGet("/{id:guid}/document", QuoteDocument.Render).Produces<string>(StatusCodes.Status200OK, "text/html").RequirePermission(Permissions.Quotes, Operation.Read);
        api.MapPost("/", CreateQuote).RequirePermission(Permissions.Quotes, Operation.Create);
        api.MapPut("/{id:guid}", UpdateQuote).RequirePermission(Permissions.Quotes, Operation.Update);
        api.MapPost("/{id:guid}/send", SendQuote).RequirePermission(Permissions.Quotes, Operation.Update);
        api.MapPost("/{id:guid}/accept", AcceptQuote).RequirePermission(Permissions.Quotes, Operation.Update);
        api.MapPost("/{id:guid}/reject", RejectQuote).RequirePermission(Permissions.Quotes, Operation.Update);
        // Creates a revision of an existing quote: besides a create's problems, the quote may not be found.
        api.MapPost("/{id:guid}/revise", ReviseQuote).RequirePermission(Permissions.Quotes, Operation.Create)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>Built per request: whether a sent quote is expired depends on the day.</summary>
    private static ListFields<Quote> ListFields(DateOnly today) => new ListFields<Quote>()
        .Filter("opportunityId", q => q.OpportunityId)
        .Filter("number", q => q.Number)
        .Filter("currency", q => q.Currency, currency => currency.ToUpperInvariant())
        .Filter("status", value => StatusFilter(value, today))
        .Sort("updatedAt", q => q.UpdatedAt)
        .Sort("number", q => q.Number)
        .Sort("total", q => q.Total)
        .Sort("validUntil", q => q.ValidUntil);

    /// <summary>The status as the API reports it: <c>sent</c> means sent and still valid, <c>expired</c> sent and past its date.</summary>
    private static Expression<Func<Quote, bool>>? StatusFilter(string value, DateOnly today)
    {
        if (int.TryParse(value, out _) || !Enum.TryParse<QuoteStatus>(value, ignoreCase: true, out var status))
        {
            return null;
        }
        return status switch
        {
            QuoteStatus.Expired => q => q.Status == QuoteStatus.Sent && q.ValidUntil < today,
            QuoteStatus.Sent => q => q.Status == QuoteStatus.Sent && q.ValidUntil >= today,
            _ => q => q.Status == status,
        };
    }

    /// <summary>Quotes whose opportunity the caller may see: the opportunity's record scope decides.</summary>
    internal static IQueryable<Quote> Visible(SalesDbContext db) => db.Quotes.Where(q => db.Opportunities.Any(o => o.Id == q.OpportunityId));

    internal static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public static async Task<Results<Ok<CursorPage<QuoteResponse>>, ValidationProblem>> ListQuotes(
        SalesDbContext db, HttpRequest request, TimeProvider clock, CancellationToken cancellationToken)
    {
        var today = Today(clock);
        if (!ListQuery<Quote>.TryParse(request.Query, ListFields(today), out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(Visible(db).AsNoTracking(), q => QuoteResponse.From(q, today), cancellationToken));
    }

    public static async Task<Results<Ok<QuoteResponse>, ProblemHttpResult>> GetQuote(
        Guid id, SalesDbContext db, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        var quote = await Visible(db).AsNoTracking().SingleOrDefaultAsync(q => q.Id == id, cancellationToken);
        if (quote is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, quote.Version);
        return TypedResults.Ok(QuoteResponse.From(quote, Today(clock)));
    }

    public static async Task<Results<Created<QuoteResponse>, ValidationProblem, ProblemHttpResult>> CreateQuote(
        QuoteRequest request, SalesDbContext db, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var opportunityId = request.OpportunityId!.Value;
        if (!await db.Opportunities.AnyAsync(o => o.Id == opportunityId, cancellationToken))
        {
            return UnknownOpportunity(opportunityId);
        }
        var (content, problem) = await request.ResolveAsync(db, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // Numbers are given one at a time per tenant, so two quotes created at once cannot take the same one.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockForTransactionAsync("quote-number:" + db.CurrentTenantId, cancellationToken);
        var number = (await db.Quotes.MaxAsync(q => (int?)q.Number, cancellationToken) ?? 0) + 1;
        var quote = Quote.Draft(number, opportunityId, content!);
        db.Quotes.Add(quote);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            // Deleted since the check above.
            return UnknownOpportunity(opportunityId);
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(response, quote.Version);
        return TypedResults.Created($"/api/v1/quotes/{quote.Id}", QuoteResponse.From(quote, Today(clock)));
    }

    public static async Task<Results<Ok<QuoteResponse>, ValidationProblem, ProblemHttpResult>> UpdateQuote(
        Guid id, QuoteRequest request, SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (quote, unchangeable) = await FindForChangeAsync(db, id, http.Request, cancellationToken);
        if (unchangeable is not null)
        {
            return unchangeable;
        }
        if (request.OpportunityId != quote.OpportunityId)
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("opportunityId",
                "opportunityId cannot change; create a quote on the other opportunity instead."));
        }
        var (content, problem) = await request.ResolveAsync(db, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (quote.Edit(content!) is { } refusal)
        {
            return Refused(refusal);
        }
        // Lines live in a table of their own: a change of lines alone must still give the quote a new version.
        db.Entry(quote).Property(q => q.UpdatedAt).IsModified = true;
        if (await SaveAsync(db, quote, cancellationToken) is { } failed)
        {
            return failed;
        }
        return Saved(quote, http.Response, clock);
    }

    public static async Task<Results<Ok<QuoteResponse>, ProblemHttpResult>> SendQuote(
        Guid id, SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (quote, unchangeable) = await FindForChangeAsync(db, id, http.Request, cancellationToken);
        if (unchangeable is not null)
        {
            return unchangeable;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (quote.Send(DateOnly.FromDateTime(now), now) is { } refusal)
        {
            return Refused(refusal);
        }
        db.Stamp();
        db.AddEvent(quote.Sent());
        if (await SaveAsync(db, quote, cancellationToken) is { } failed)
        {
            return failed;
        }
        return Saved(quote, http.Response, clock);
    }

    /// <summary>
    /// Accepts a sent, unexpired revision; with <c>setOpportunityAmount</c> the opportunity's amount becomes the quote's
    /// total in the same commit (422 when the opportunity is in another currency or cannot hold the amount).
    /// </summary>
    public static async Task<Results<Ok<QuoteResponse>, ProblemHttpResult>> AcceptQuote(
        Guid id, AcceptQuoteRequest? request, SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (quote, unchangeable) = await FindForChangeAsync(db, id, http.Request, cancellationToken);
        if (unchangeable is not null)
        {
            return unchangeable;
        }
        if (await AcceptedRevisionAsync(db, quote, cancellationToken) is { } accepted)
        {
            return AlreadyAccepted(quote, accepted);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (quote.Accept(DateOnly.FromDateTime(now), now) is { } refusal)
        {
            return Refused(refusal);
        }
        var setAmount = request?.SetOpportunityAmount == true;
        if (setAmount)
        {
            var opportunity = await db.Opportunities.SingleAsync(o => o.Id == quote.OpportunityId, cancellationToken);
            if (OpportunityAmount.Refusal(opportunity, quote) is { } unfit)
            {
                return unfit;
            }
            opportunity.Amount = quote.Total;
        }
        db.Stamp();
        db.AddEvent(quote.Accepted(setAmount));
        if (await SaveAsync(db, quote, cancellationToken) is { } failed)
        {
            return failed;
        }
        return Saved(quote, http.Response, clock);
    }

    public static async Task<Results<Ok<QuoteResponse>, ValidationProblem, ProblemHttpResult>> RejectQuote(
        Guid id, RejectQuoteRequest? request, SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request?.Validate() is { IsValid: false } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (quote, unchangeable) = await FindForChangeAsync(db, id, http.Request, cancellationToken);
        if (unchangeable is not null)
        {
            return unchangeable;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim();
        if (quote.Reject(DateOnly.FromDateTime(now), now, reason) is { } refusal)
        {
            return Refused(refusal);
        }
        if (await SaveAsync(db, quote, cancellationToken) is { } failed)
        {
            return failed;
        }
        return Saved(quote, http.Response, clock);
    }

    /// <summary>A new draft revision of the quote's number, from its latest revision only (so revisions form one line).</summary>
    public static async Task<Results<Created<QuoteResponse>, ProblemHttpResult>> ReviseQuote(
        Guid id, SalesDbContext db, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        var quote = await Visible(db).AsNoTracking().SingleOrDefaultAsync(q => q.Id == id, cancellationToken);
        if (quote is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var latest = await db.Quotes.Where(q => q.Number == quote.Number).MaxAsync(q => q.Revision, cancellationToken);
        if (latest != quote.Revision)
        {
            return ApiProblems.Conflict($"Quote {quote.Number} already has revision {latest}; revise the latest revision.",
                new Dictionary<string, object?> { ["latestRevision"] = latest });
        }
        if (await AcceptedRevisionAsync(db, quote, cancellationToken) is { } accepted)
        {
            return AlreadyAccepted(quote, accepted);
        }
        var today = Today(clock);
        var (revised, refusal) = quote.Revise(latest + 1, today);
        if (refusal is not null)
        {
            return Refused(refusal);
        }
        db.Quotes.Add(revised!);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"Quote {quote.Number} was revised by someone else at the same time; read it again.");
        }
        ETags.Set(response, revised!.Version);
        return TypedResults.Created($"/api/v1/quotes/{revised.Id}", QuoteResponse.From(revised, today));
    }

    /// <summary>The quote to change, tracked: 404 when the caller cannot see it, 428/412 when If-Match does not name its version.</summary>
    private static async Task<(Quote Quote, ProblemHttpResult? Problem)> FindForChangeAsync(
        SalesDbContext db, Guid id, HttpRequest request, CancellationToken cancellationToken)
    {
        var quote = await Visible(db).SingleOrDefaultAsync(q => q.Id == id, cancellationToken);
        if (quote is null)
        {
            return (null!, ApiProblems.NotFound(Resource, id));
        }
        return (quote, ETags.CheckIfMatch(request, quote.Version, out _));
    }

    private static Task<int?> AcceptedRevisionAsync(SalesDbContext db, Quote quote, CancellationToken cancellationToken) =>
        db.Quotes.Where(q => q.Number == quote.Number && q.Status == QuoteStatus.Accepted).Select(q => (int?)q.Revision)
            .FirstOrDefaultAsync(cancellationToken);

    private static ProblemHttpResult AlreadyAccepted(Quote quote, int acceptedRevision) =>
        ApiProblems.Conflict($"Revision {acceptedRevision} of quote {quote.Number} is already accepted; a quote is accepted once.",
            new Dictionary<string, object?> { ["acceptedRevision"] = acceptedRevision });

    private static ProblemHttpResult UnknownOpportunity(Guid opportunityId) => ApiProblems.Unprocessable(
        $"No opportunity with id '{opportunityId}'.", new Dictionary<string, string[]> { ["opportunityId"] = [$"Unknown opportunity '{opportunityId}'."] });

    private static ProblemHttpResult Refused(QuoteRefusal refusal) => refusal.StatusCode == StatusCodes.Status409Conflict
        ? ApiProblems.Conflict(refusal.Detail)
        : ApiProblems.Unprocessable(refusal.Detail, new Dictionary<string, string[]> { ["quote"] = [refusal.Detail] });

    /// <summary>
    /// Saves a changed quote: 412 when someone changed it (or, on accept, its opportunity) since it was read, 409 when
    /// another revision was accepted in the meantime (the partial unique index is the last word on that). Null when saved.
    /// </summary>
    private static async Task<ProblemHttpResult?> SaveAsync(SalesDbContext db, Quote quote, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, quote.Id);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"Another revision of quote {quote.Number} was accepted at the same time; a quote is accepted once.");
        }
    }

    private static Ok<QuoteResponse> Saved(Quote quote, HttpResponse response, TimeProvider clock)
    {
        ETags.Set(response, quote.Version);
        return TypedResults.Ok(QuoteResponse.From(quote, Today(clock)));
    }
}
