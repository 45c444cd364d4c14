using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads;

public sealed record LeadMatchesResponse(Guid LeadId, IReadOnlyList<LikelyMatch> People, IReadOnlyList<LikelyMatch> Organizations);

/// <summary>
/// <c>GET /api/v1/leads/{id}/matches</c>: the people and organizations in Contacts the lead likely is, by Contacts' own
/// duplicate rules, asked over the broker (<see cref="FindLikelyMatches"/>) rather than copied here. Contacts answers
/// as the caller, so its record scopes decide whom it names. When Contacts does not answer within
/// <c>Leads:MatchTimeout</c> (5 seconds by default), a 503 to try again: a conversion chooses between records, and guessing
/// "no match" would create duplicates.
/// </summary>
public static class LeadMatchesApi
{
    public static RouteHandlerBuilder MapLeadMatchesApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/leads/{id:guid}/matches", GetMatches).WithTags("Leads").RequirePermission(Permissions.Leads, Operation.Read)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    public static async Task<Results<Ok<LeadMatchesResponse>, ProblemHttpResult>> GetMatches(
        Guid id, SalesDbContext db, TenantContext tenant, IRequestClient<FindLikelyMatches> contacts, CancellationToken cancellationToken)
    {
        var lead = await db.Leads.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (lead is null)
        {
            return ApiProblems.NotFound("lead", id);
        }
        var request = new FindLikelyMatches(tenant.TenantId, tenant.ActorId, tenant.SeesWholeTenant, lead.FirstName, lead.LastName,
            lead.Email is null ? [] : [lead.Email], lead.Phone is null ? [] : [lead.Phone], lead.Country, lead.Company, lead.CompanyDomain);
        try
        {
            var answer = await contacts.GetResponse<LikelyMatchesFound>(request, cancellationToken);
            return TypedResults.Ok(new LeadMatchesResponse(lead.Id, answer.Message.People, answer.Message.Organizations));
        }
        catch (Exception ex) when (ex is RequestTimeoutException or RequestFaultException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Contacts did not answer",
                detail: "Contacts did not say in time whom this lead matches; try again in a moment.");
        }
    }
}
