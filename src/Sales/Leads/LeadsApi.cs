using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Leads.Conversion;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads;

/// <summary>
/// <c>/api/v1/leads</c>: capture, read, list, change and delete leads, and move them through their statuses
/// (<c>PUT /{id}/status</c>, If-Match). The one who captures a lead owns it; record scopes apply as to opportunities
/// (others in sales get 404). A converted lead is read-only: it is the record of what the lead became.
/// </summary>
public static class LeadsApi
{
    private const string Resource = "lead";

    public static RouteGroupBuilder MapLeadsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/leads").WithTags("Leads");
        api.MapGet("/", ListLeads).Lists(ListFields).RequirePermission(Permissions.Leads, Operation.Read);
        api.MapGet("/{id:guid}", GetLead).RequirePermission(Permissions.Leads, Operation.Read);
        api.MapPost("/", CreateLead).RequirePermission(Permissions.Leads, Operation.Create);
        api.MapPut("/{id:guid}", UpdateLead).RequirePermission(Permissions.Leads, Operation.Update);
        api.MapPut("/{id:guid}/status", ChangeStatus).RequirePermission(Permissions.Leads, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteLead).RequirePermission(Permissions.Leads, Operation.Delete);
        return api;
    }

    private static readonly ListFields<Lead> ListFields = new ListFields<Lead>()
        .Filter("status", l => l.Status)
        .Filter("source", l => l.Source)
        .Filter("campaignId", l => l.CampaignId)
        .Filter("ownerId", l => l.OwnerId)
        .Filter("assignedByRuleId", l => l.AssignedByRuleId)
        .Filter("country", l => l.Country, country => country.ToUpperInvariant())
        .Filter("region", l => l.Region)
        .Filter("industry", l => l.Industry)
        .Filter("email", l => l.Email, email => email.Trim().ToLowerInvariant())
        .Filter("sourceReference", l => l.SourceReference)
        .Filter("productInterest", value => l => l.ProductInterests.Contains(value))
        // Part of the company's name, any case: what someone searching a list types.
        .Filter("company", value => l => l.Company != null && EF.Functions.ILike(l.Company, "%" + Escaped(value) + "%", "\\"))
        .Filter("createdAfter", value => Instant(value) is { } after ? l => l.CreatedAt >= after : null)
        .Filter("createdBefore", value => Instant(value) is { } before ? l => l.CreatedAt < before : null)
        .Sort("updatedAt", l => l.UpdatedAt)
        .Sort("lastName", l => l.LastName)
        .Sort("status", l => l.Status);

    private static string Escaped(string value) => value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    private static DateTime? Instant(string value) =>
        DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var instant)
            ? instant.UtcDateTime : null;

    public static async Task<Results<Ok<CursorPage<LeadResponse>>, ValidationProblem>> ListLeads(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Lead>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.Leads.AsNoTracking(), LeadResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<LeadResponse>, ProblemHttpResult>> GetLead(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var lead = await db.Leads.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (lead is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, lead.Version);
        return TypedResults.Ok(LeadResponse.From(lead));
    }

    /// <summary>Captures a lead in status <c>new</c> and publishes <c>LeadCreated</c> in the same commit.</summary>
    public static async Task<Results<Created<LeadResponse>, ValidationProblem, ProblemHttpResult>> CreateLead(
        LeadRequest request, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var lead = new Lead();
        request.ApplyTo(lead);
        await LeadCapture.LinkPersonAsync(db, lead, cancellationToken);
        db.Leads.Add(lead);
        // A transaction around the choice and the save, so a least-loaded rule's lock holds until the lead is counted.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await Assignment.NewLeads.PrepareAsync(db, lead, cancellationToken);
        db.Stamp();
        db.AddEvent(lead.Created());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return SameSourceReference(lead);
        }
        ETags.Set(response, lead.Version);
        return TypedResults.Created($"/api/v1/leads/{lead.Id}", LeadResponse.From(lead));
    }

    public static async Task<Results<Ok<LeadResponse>, ValidationProblem, ProblemHttpResult>> UpdateLead(
        Guid id, LeadRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return await ChangeAsync(id, db, http, async lead =>
        {
            request.ApplyTo(lead);
            await LeadCapture.LinkPersonAsync(db, lead, cancellationToken);
            return null;
        }, cancellationToken);
    }

    /// <summary>
    /// Moves the lead to another status under <see cref="Lead.ChangeStatus"/>: 400 for an unknown status, 422 for
    /// <c>converted</c> (conversion's alone) or a disqualification without a reason, 409 from a status that does not lead there.
    /// </summary>
    public static async Task<Results<Ok<LeadResponse>, ValidationProblem, ProblemHttpResult>> ChangeStatus(
        Guid id, LeadStatusRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(request.Status is null || !LeadStatuses.All.Contains(request.Status), "status", $"status must be one of: {string.Join(", ", LeadStatuses.All)}.")
            .MaxLength("disqualificationReason", request.DisqualificationReason, Lead.TextMaxLength);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return await ChangeAsync(id, db, http, lead => Task.FromResult(lead.ChangeStatus(request.Status!, request.DisqualificationReason, db.Actor) switch
        {
            null => (ProblemHttpResult?)null,
            { Kind: LeadStatusRefusalKind.Conflict } refusal => ApiProblems.Conflict(refusal.Message),
            var refusal => ApiProblems.Unprocessable(refusal.Message, new Dictionary<string, string[]> { [refusal.Field] = [refusal.Message] }),
        }), cancellationToken);
    }

    /// <summary>404, If-Match, a converted lead's 409, then <paramref name="change"/>, saved with its status event in one commit.</summary>
    private static async Task<Results<Ok<LeadResponse>, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        Guid id, SalesDbContext db, HttpContext http, Func<Lead, Task<ProblemHttpResult?>> change, CancellationToken cancellationToken)
    {
        var lead = await db.Leads.SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (lead is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, lead.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (lead.Status == LeadStatuses.Converted)
        {
            return Converted(lead);
        }
        if (await LeadConversion.IsUnderWayAsync(db, id, cancellationToken))
        {
            return LeadConversion.UnderWay(id);
        }
        if (await change(lead) is { } refused)
        {
            return refused;
        }
        await Scoring.LeadScorer.ScoreAsync(db, lead, cancellationToken);
        db.Stamp();
        if (lead.TakeStatusEvent() is { } statusEvent)
        {
            db.AddEvent(statusEvent);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return SameSourceReference(lead);
        }
        ETags.Set(http.Response, lead.Version);
        return TypedResults.Ok(LeadResponse.From(lead));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteLead(
        Guid id, SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var found = await db.Leads.Where(l => l.Id == id).Select(l => new { l.Version, l.Status }).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, found.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (found.Status == LeadStatuses.Converted)
        {
            return ApiProblems.Conflict("The lead is converted; it stays as the record of what it became.");
        }
        if (await LeadConversion.IsUnderWayAsync(db, id, cancellationToken))
        {
            return LeadConversion.UnderWay(id);
        }
        // Deletes only the version the client saw: a change in between leaves the row, and the client re-reads.
        var deleted = await db.Leads.Where(l => l.Id == id && l.Version == found.Version).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? ApiProblems.ConcurrentUpdate(Resource, id) : TypedResults.NoContent();
    }

    private static ProblemHttpResult Converted(Lead lead) =>
        ApiProblems.Conflict($"The lead is converted (into opportunity '{lead.ConvertedOpportunityId}'); it changes no more.");

    private static ProblemHttpResult SameSourceReference(Lead lead) => ApiProblems.Conflict(
        $"A lead from source '{lead.Source}' with sourceReference '{lead.SourceReference}' exists already; a source's reference names one lead.");
}
