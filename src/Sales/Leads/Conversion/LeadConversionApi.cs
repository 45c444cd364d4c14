using System.Globalization;
using CrmPlatform.Persistence;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Model;
using CrmPlatform.Sales.Pipelines;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads.Conversion;

/// <summary>
/// Converting a lead into a person and organization in Contacts and an opportunity here: a saga over the broker (see
/// docs/architecture.md, "Lead conversion"). The request is recorded and the ask to Contacts queued in one commit; the
/// answer is 202 with the conversion, or, with <c>Prefer: wait=N</c> (RFC 7240), 200 once it finished within N seconds.
/// </summary>
public static class LeadConversionApi
{
    private const string LeadResource = "lead";
    private const int MaxWaitSeconds = 30;
    private static readonly TimeSpan LookAgain = TimeSpan.FromMilliseconds(250);

    public static RouteGroupBuilder MapLeadConversionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/leads").WithTags("Lead conversion");
        api.MapPost("/{id:guid}/convert", ConvertLead).RequirePermission(Permissions.LeadConversions, Operation.Create)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        api.MapGet("/{id:guid}/conversion", GetConversion).RequirePermission(Permissions.LeadConversions, Operation.Read);
        return api;
    }

    public static async Task<Results<Ok<LeadConversionResponse>, Accepted<LeadConversionResponse>, ValidationProblem, ProblemHttpResult>> ConvertLead(
        Guid id, [FromBody] LeadConversionRequest? request, SalesDbContext db, HttpContext http, TimeProvider clock,
        LeadConversionSignal signal, CancellationToken cancellationToken)
    {
        request ??= new LeadConversionRequest();
        var wanted = request.Opportunity ?? new ConvertedOpportunityRequest();
        var errors = new FieldErrors()
            .When(request.PersonId == Guid.Empty, "personId", "personId cannot be the empty id.")
            .When(request.OrganizationId == Guid.Empty, "organizationId", "organizationId cannot be the empty id.");
        var createOpportunity = request.CreateOpportunity ?? true;
        if (createOpportunity)
        {
            wanted.Validate(errors);
        }
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var lead = await db.Leads.SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (lead is null)
        {
            return ApiProblems.NotFound(LeadResource, id);
        }
        if (http.Request.Headers.IfMatch.Count > 0 && ETags.CheckIfMatch(http.Request, lead.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await RefusalAsync(db, lead, cancellationToken) is { } refused)
        {
            return refused;
        }
        errors.When(request.PersonId is null && string.IsNullOrWhiteSpace(lead.Email), "personId",
            "The lead has no email address, which a new person needs: give the lead one, or name a person to reuse.");

        Pipeline? pipeline = null;
        if (createOpportunity && (pipeline = await TenantPipelines.ForAsync(db, wanted.PipelineId, current: null, cancellationToken)) is null)
        {
            return TenantPipelines.Unknown(wanted.PipelineId!.Value);
        }
        var stage = pipeline is null ? null : CheckOpportunity(lead, wanted, pipeline, errors);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var conversion = new LeadConversion
        {
            LeadId = lead.Id,
            RequestedBy = db.Actor,
            RequestedPersonId = request.PersonId,
            RequestedOrganizationId = request.OrganizationId,
            CreateOpportunity = createOpportunity,
            OpportunityName = pipeline is null ? null : OpportunityName(lead, wanted),
            Amount = pipeline is null ? null : wanted.Amount ?? 0m,
            Currency = pipeline is null ? null : wanted.Currency ?? ConvertedOpportunityRequest.DefaultCurrency,
            PipelineId = pipeline?.Id,
            Stage = stage?.Key,
            ExpectedCloseDate = wanted.ExpectedCloseDate,
        };
        db.Set<LeadConversion>().Add(conversion);
        db.Stamp();
        db.AddEvent(conversion.Requested(lead, clock.GetUtcNow().UtcDateTime));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"The lead '{id}' is being converted by another request; see its conversion.");
        }

        var location = $"/api/v1/leads/{id}/conversion";
        if (PreferredWait(http.Request) is { } wait && await WaitAsync(db, signal, conversion.Id, wait, cancellationToken) is { } finished)
        {
            http.Response.Headers.ContentLocation = location;
            return TypedResults.Ok(LeadConversionResponse.From(finished));
        }
        return TypedResults.Accepted(location, LeadConversionResponse.From(conversion));
    }

    public static async Task<Results<Ok<LeadConversionResponse>, ProblemHttpResult>> GetConversion(
        Guid id, SalesDbContext db, CancellationToken cancellationToken)
    {
        // The lead's record scope and tenant decide who sees its conversion.
        if (!await db.Leads.AnyAsync(l => l.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(LeadResource, id);
        }
        var conversion = await db.Set<LeadConversion>().AsNoTracking()
            .Where(c => c.LeadId == id).OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        return conversion is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"The lead '{id}' has not been converted.")
            : TypedResults.Ok(LeadConversionResponse.From(conversion));
    }

    /// <summary>409 for a lead that cannot be converted (any more): disqualified, converted, or being converted.</summary>
    private static async Task<ProblemHttpResult?> RefusalAsync(SalesDbContext db, Lead lead, CancellationToken cancellationToken)
    {
        if (lead.Status == LeadStatuses.Disqualified)
        {
            return ApiProblems.Conflict($"The lead '{lead.Id}' is disqualified; qualify it again before converting it.");
        }
        if (lead.Status == LeadStatuses.Converted)
        {
            return ApiProblems.Conflict($"The lead '{lead.Id}' is already converted.",
                new Dictionary<string, object?> { ["opportunityId"] = lead.ConvertedOpportunityId, ["personId"] = lead.ConvertedPersonId });
        }
        return await LeadConversion.IsUnderWayAsync(db, lead.Id, cancellationToken) ? LeadConversion.UnderWay(lead.Id) : null;
    }

    /// <summary>
    /// The stage the opportunity will start in, checked now against the stage's rules as far as they can be (the
    /// customer is not known yet), so that a request the pipeline would refuse is a 422 rather than a failed conversion.
    /// </summary>
    private static PipelineStage? CheckOpportunity(Lead lead, ConvertedOpportunityRequest wanted, Pipeline pipeline, FieldErrors errors)
    {
        var stageErrors = new FieldErrors();
        var stage = StageMoves.Resolve(pipeline, wanted.Stage, current: null, LossDetails.None, stageErrors);
        foreach (var (field, messages) in stageErrors)
        {
            errors[$"opportunity.{field}"] = messages;
        }
        var name = OpportunityName(lead, wanted);
        errors.When(string.IsNullOrWhiteSpace(name), "opportunity.name",
            "The lead has neither a company nor a name to call the opportunity by: give opportunity.name.");
        if (stage is null)
        {
            return null;
        }
        if (stage.Kind != StageKind.Open)
        {
            errors.Add("opportunity.stage", "A converted lead's opportunity starts in an open stage.");
            return stage;
        }
        var probe = new Opportunity
        {
            Name = name, Amount = wanted.Amount ?? 0m, Currency = wanted.Currency ?? ConvertedOpportunityRequest.DefaultCurrency,
            CustomerId = Guid.CreateVersion7(), ExpectedCloseDate = wanted.ExpectedCloseDate,
        };
        foreach (var (field, messages) in Pipeline.CheckEntry(stage, probe, LossDetails.None))
        {
            errors[$"opportunity.{field}"] = messages;
        }
        return stage;
    }

    private static string OpportunityName(Lead lead, ConvertedOpportunityRequest wanted) =>
        wanted.Name?.Trim() ?? ConvertedOpportunityRequest.DefaultName(lead);

    /// <summary>The seconds of an RFC 7240 <c>wait</c> preference, at most <see cref="MaxWaitSeconds"/>; null without one.</summary>
    internal static TimeSpan? PreferredWait(HttpRequest request)
    {
        foreach (var preference in request.Headers["Prefer"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries)))
        {
            var token = preference.Split(';', 2)[0].Trim();
            if (token.StartsWith("wait=", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(token.AsSpan(5).Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(Math.Min(seconds, MaxWaitSeconds));
            }
        }
        return null;
    }

    /// <summary>The conversion once finished within <paramref name="wait"/>; null while it is still requested then.</summary>
    private static async Task<LeadConversion?> WaitAsync(SalesDbContext db, LeadConversionSignal signal, Guid id, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        var finished = signal.WaitAsync(id);
        try
        {
            while (true)
            {
                var conversion = await db.Set<LeadConversion>().AsNoTracking().SingleAsync(c => c.Id == id, cancellationToken);
                var left = deadline - DateTime.UtcNow;
                if (!conversion.IsRequested || left <= TimeSpan.Zero)
                {
                    return conversion.IsRequested ? null : conversion;
                }
                await Task.WhenAny(finished, Task.Delay(left < LookAgain ? left : LookAgain, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            signal.Forget(id);
        }
    }
}
