using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmPlatform.Service.Mail.Inbound;

public sealed record SupportAddressRequest(string? Address, string? DisplayName = null, Guid? GroupId = null, string? Language = null)
{
    public string? NormalizedAddress => Address?.Trim().ToLowerInvariant();

    public FieldErrors Validate() => new FieldErrors()
        .Required("address", Address, SupportAddress.AddressMaxLength)
        .Email("address", NormalizedAddress)
        .MaxLength("displayName", DisplayName, 200)
        .MaxLength("language", Language, 35);

    public void ApplyTo(SupportAddress address)
    {
        address.Address = NormalizedAddress!;
        address.DisplayName = string.IsNullOrWhiteSpace(DisplayName) ? null : DisplayName.Trim();
        address.GroupId = GroupId;
        address.Language = string.IsNullOrWhiteSpace(Language) ? null : Language.Trim().ToLowerInvariant();
    }
}

public sealed record SupportAddressResponse(
    Guid Id, string Address, string? DisplayName, Guid? GroupId, string? Language, DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, int Version)
{
    public static SupportAddressResponse From(SupportAddress a) =>
        new(a.Id, a.Address, a.DisplayName, a.GroupId, a.Language, a.CreatedAt, a.CreatedBy, a.UpdatedAt, a.Version);
}

/// <summary><c>/api/v1/support-addresses</c>: the addresses whose mail becomes the tenant's tickets; admins set them.</summary>
public static class SupportAddressesApi
{
    private const string Resource = "support address";

    public static RouteGroupBuilder MapSupportAddressesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/support-addresses").WithTags("Support addresses");
        api.MapGet("/", List).Lists(ListFields).RequirePermission(Permissions.SupportAddresses, Operation.Read);
        api.MapGet("/{id:guid}", Get).RequirePermission(Permissions.SupportAddresses, Operation.Read);
        api.MapPost("/", Create).RequirePermission(Permissions.SupportAddresses, Operation.Create);
        api.MapDelete("/{id:guid}", Delete).RequirePermission(Permissions.SupportAddresses, Operation.Delete);
        return api;
    }

    private static readonly ListFields<SupportAddress> ListFields = new ListFields<SupportAddress>()
        .Sort("address", a => a.Address)
        .Sort("updatedAt", a => a.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<SupportAddressResponse>>, ValidationProblem>> List(
        ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<SupportAddress>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.SupportAddresses.AsNoTracking(), SupportAddressResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<SupportAddressResponse>, ProblemHttpResult>> Get(
        Guid id, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var address = await db.SupportAddresses.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (address is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, address.Version);
        return TypedResults.Ok(SupportAddressResponse.From(address));
    }

    public static async Task<Results<Created<SupportAddressResponse>, ValidationProblem, ProblemHttpResult>> Create(
        SupportAddressRequest request, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (request.GroupId is { } groupId && !await db.SupportGroups.AnyAsync(g => g.Id == groupId, cancellationToken))
        {
            errors.When(true, "groupId", $"No support group with id '{groupId}'.");
        }
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var address = new SupportAddress();
        request.ApplyTo(address);
        db.SupportAddresses.Add(address);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Taken, perhaps by another tenant: said without naming whose.
            return ApiProblems.Conflict($"The address '{address.Address}' is already a support address.");
        }
        ETags.Set(response, address.Version);
        return TypedResults.Created($"/api/v1/support-addresses/{address.Id}", SupportAddressResponse.From(address));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var version = await db.SupportAddresses.Where(a => a.Id == id).Select(a => (int?)a.Version).SingleOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, version.Value, out _) is { } precondition)
        {
            return precondition;
        }
        var deleted = await db.SupportAddresses.Where(a => a.Id == id && a.Version == version).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? ApiProblems.ConcurrentUpdate(Resource, id) : TypedResults.NoContent();
    }
}
