using CrmPlatform.Persistence;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Sla.Entitlements;

/// <summary>
/// <c>/api/v1/service-contracts</c>: which organization is entitled to which SLA policy, when. Admins write; agents,
/// sales and read-only users read. <c>GET …/applicable-policy?organizationId=&amp;at=</c> explains which policy a
/// ticket of that organization created at that moment gets, and why.
/// </summary>
public static class ServiceContractsApi
{
    private const string Resource = "service contract";

    public static RouteGroupBuilder MapServiceContractsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/service-contracts").WithTags("Service contracts");
        api.MapGet("/", List).Lists(ListFields).RequirePermission(Permissions.ServiceContracts, Operation.Read);
        api.MapGet("/applicable-policy", ApplicablePolicy).RequirePermission(Permissions.ServiceContracts, Operation.Read);
        api.MapGet("/{id:guid}", Get).RequirePermission(Permissions.ServiceContracts, Operation.Read);
        api.MapPost("/", Create).RequirePermission(Permissions.ServiceContracts, Operation.Create);
        api.MapPut("/{id:guid}", Update).RequirePermission(Permissions.ServiceContracts, Operation.Update);
        api.MapDelete("/{id:guid}", Delete).RequirePermission(Permissions.ServiceContracts, Operation.Delete);
        return api;
    }

    private static readonly ListFields<ServiceContract> ListFields = new ListFields<ServiceContract>()
        .Filter("organizationId", c => c.OrganizationId)
        .Filter("policyId", c => c.PolicyId)
        .Filter("name", c => c.Name)
        .Sort("name", c => c.Name)
        .Sort("validFrom", c => c.ValidFrom)
        .Sort("updatedAt", c => c.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<ServiceContractResponse>>, ValidationProblem>> List(
        ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken) =>
        ListQuery<ServiceContract>.TryParse(request.Query, ListFields, out var list, out var errors)
            ? TypedResults.Ok(await list.ToPageAsync(db.ServiceContracts.AsNoTracking(), ServiceContractResponse.From, cancellationToken))
            : TypedResults.ValidationProblem(errors);

    public static async Task<Results<Ok<ServiceContractResponse>, ProblemHttpResult>> Get(
        Guid id, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var contract = await db.ServiceContracts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (contract is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, contract.Version);
        return TypedResults.Ok(ServiceContractResponse.From(contract));
    }

    /// <summary>The policy, its source (<c>contract</c>, <c>tenant-default</c>, <c>none</c>), the contract and a sentence saying why.</summary>
    public static async Task<Ok<ApplicablePolicyResponse>> ApplicablePolicy(
        Guid? organizationId, DateTime? at, ServiceDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var moment = at?.ToUniversalTime() ?? clock.GetUtcNow().UtcDateTime;
        var choice = await PolicyResolution.ResolveAsync(db, organizationId, moment, cancellationToken);
        return TypedResults.Ok(new ApplicablePolicyResponse(choice.Policy?.Id, choice.Policy?.Name, choice.Source, choice.Contract?.Id, choice.Reason, moment));
    }

    public static async Task<Results<Created<ServiceContractResponse>, ValidationProblem, ProblemHttpResult>> Create(
        ServiceContractRequest request, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (request.Read(out var errors) is not { } contract)
        {
            return TypedResults.ValidationProblem(errors);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await CheckAsync(db, contract, null, cancellationToken) is { } refused)
        {
            return refused;
        }
        db.ServiceContracts.Add(contract);
        if (await SlaSaves.SaveAsync(db, Resource, contract.Id, contract.Name, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(response, contract.Version);
        return TypedResults.Created($"/api/v1/service-contracts/{contract.Id}", ServiceContractResponse.From(contract));
    }

    public static async Task<Results<Ok<ServiceContractResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, ServiceContractRequest request, ServiceDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        if (request.Read(out var errors) is not { } changed)
        {
            return TypedResults.ValidationProblem(errors);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var contract = await db.ServiceContracts.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (contract is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, contract.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await CheckAsync(db, changed, id, cancellationToken) is { } refused)
        {
            return refused;
        }
        contract.Name = changed.Name;
        contract.OrganizationId = changed.OrganizationId;
        contract.PolicyId = changed.PolicyId;
        contract.ValidFrom = changed.ValidFrom;
        contract.ValidTo = changed.ValidTo;
        if (await SlaSaves.SaveAsync(db, Resource, contract.Id, contract.Name, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(http.Response, contract.Version);
        return TypedResults.Ok(ServiceContractResponse.From(contract));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var contract = await db.ServiceContracts.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (contract is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, contract.Version, out _) is { } precondition)
        {
            return precondition;
        }
        db.ServiceContracts.Remove(contract);
        return await SlaSaves.SaveAsync(db, Resource, contract.Id, contract.Name, cancellationToken) is { } problem ? problem : TypedResults.NoContent();
    }

    /// <summary>
    /// 422 for an organization the contact directory does not know (or a person) or a policy that is not the tenant's;
    /// 409 for a window overlapping another contract of the organization. The organization's contracts are checked
    /// under a lock held until the caller's transaction ends, so two concurrent writes cannot both pass.
    /// </summary>
    private static async Task<ProblemHttpResult?> CheckAsync(ServiceDbContext db, ServiceContract contract, Guid? self, CancellationToken cancellationToken)
    {
        var organization = await db.DirectoryContacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contract.OrganizationId && !c.IsDeleted, cancellationToken);
        if (organization is null || organization.Kind != ContactKind.Organization)
        {
            return SlaSaves.Unprocessable("organizationId", organization is null
                ? $"Service knows no organization with id '{contract.OrganizationId}'. One created moments ago may still be on its way from Contacts."
                : $"'{contract.OrganizationId}' is a person; contracts are with organizations.");
        }
        if (!await db.SlaPolicies.AnyAsync(p => p.Id == contract.PolicyId, cancellationToken))
        {
            return SlaSaves.Unprocessable("policyId", $"No SLA policy with id '{contract.PolicyId}'.");
        }
        await db.LockForTransactionAsync("service-contracts:" + db.CurrentTenantId + ":" + contract.OrganizationId, cancellationToken);
        var others = await db.ServiceContracts.AsNoTracking().Where(c => c.OrganizationId == contract.OrganizationId && c.Id != self).ToListAsync(cancellationToken);
        var overlapping = others.FirstOrDefault(contract.Overlaps);
        return overlapping is null ? null : ApiProblems.Conflict(
            $"The organization's contract '{overlapping.Name}' ({overlapping.ValidFrom:yyyy-MM-dd} to {(overlapping.ValidTo is { } to ? to.ToString("yyyy-MM-dd") : "open end")}) overlaps this window; at any moment at most one contract applies.",
            new Dictionary<string, object?> { ["contractId"] = overlapping.Id });
    }
}

/// <param name="Source">contract, tenant-default or none.</param>
public sealed record ApplicablePolicyResponse(Guid? PolicyId, string? PolicyName, string Source, Guid? ContractId, string Reason, DateTime At);
