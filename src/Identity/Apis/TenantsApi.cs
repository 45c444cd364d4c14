using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Apis;

/// <summary>A new tenant with its first admin: a user, an API client, or both (else nobody could manage it).</summary>
public sealed record TenantRequest(string? Name, UserRequest? AdminUser, ApiClientRequest? AdminClient)
{
    public FieldErrors Validate()
    {
        var errors = new FieldErrors()
            .Required("name", Name, Tenant.NameMaxLength)
            .When(AdminUser is null && AdminClient is null, "adminUser", "Give an adminUser, an adminClient, or both.");
        foreach (var (field, messages) in AdminUser?.Validate(creating: true) ?? [])
        {
            errors[$"adminUser.{field}"] = messages;
        }
        foreach (var (field, messages) in AdminClient?.Validate(existing: null) ?? [])
        {
            errors[$"adminClient.{field}"] = messages;
        }
        return errors;
    }
}

public sealed record TenantResponse(Guid Id, string Name, DateTime CreatedAt, DateTime UpdatedAt, int Version)
{
    public static TenantResponse From(Tenant t) => new(t.Id, t.Name, t.CreatedAt, t.UpdatedAt, t.Version);
}

/// <summary>The admin client's secret is shown here once, as when creating any API client.</summary>
public sealed record CreatedTenantResponse(
    Guid Id, string Name, DateTime CreatedAt, DateTime UpdatedAt, int Version, UserResponse? AdminUser, ApiClientResponse? AdminClient);

/// <summary>
/// Tenants. The platform admin (an admin of the default tenant) creates them and sees them all; any other admin sees
/// only their own tenant.
/// </summary>
public static class TenantsApi
{
    private const string Resource = "tenant";

    public static RouteGroupBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/tenants").WithTags("Tenants");
        api.MapGet("/", ListTenants).RequirePermission(Permissions.Tenants, Operation.Read);
        api.MapGet("/{id:guid}", GetTenant).RequirePermission(Permissions.Tenants, Operation.Read);
        api.MapPost("/", CreateTenant).RequirePermission(Permissions.Tenants, Operation.Create);
        return api;
    }

    public static async Task<Results<Ok<CursorPage<TenantResponse>>, ValidationProblem>> ListTenants(
        IdentityDbContext db, TenantContext tenant, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await Visible(db, tenant).AsNoTracking().ToCursorPageAsync(page, TenantResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> GetTenant(
        Guid id, IdentityDbContext db, TenantContext tenant, HttpResponse response, CancellationToken cancellationToken)
    {
        var found = await Visible(db, tenant).AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (found is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, found.Version);
        return TypedResults.Ok(TenantResponse.From(found));
    }

    public static async Task<Results<Created<CreatedTenantResponse>, ValidationProblem, ProblemHttpResult>> CreateTenant(
        TenantRequest request, IdentityDbContext db, TenantContext tenant, IPasswordHasher<User> hasher, HttpResponse response,
        CancellationToken cancellationToken)
    {
        if (!IsPlatformAdmin(tenant))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "Only an admin of the platform tenant can create tenants.");
        }
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (request.AdminUser is { Email: { } email } && await UsersApi.FindDuplicateAsync(db, email, exceptId: null, cancellationToken) is { } duplicate)
        {
            return duplicate;
        }
        if (request.AdminClient is { ClientId: { } clientId } && await db.ApiClients.IgnoreQueryFilters().AnyAsync(c => c.ClientId == clientId, cancellationToken))
        {
            return ApiProblems.Conflict($"The client id '{clientId}' is already in use.");
        }

        var created = Tenant.Create(request.Name!);
        db.Tenants.Add(created);
        var adminUser = request.AdminUser is { } userRequest ? NewAdminUser(userRequest, created.Id, hasher) : null;
        if (adminUser is not null)
        {
            db.Users.Add(adminUser);
        }
        var (adminClient, secret) = request.AdminClient is { } clientRequest
            ? ApiClientsApi.NewClient(clientRequest with { Roles = [Roles.Admin] }, created.Id)
            : (null, null);
        if (adminClient is not null)
        {
            db.ApiClients.Add(adminClient);
        }
        db.Stamp();
        if (adminUser is not null)
        {
            db.AddEvent(adminUser.Created());
        }

        if (await Saves.SaveAsync(db, Resource, created.Id, "The admin's email or client id was taken meanwhile.", cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(response, created.Version);
        return TypedResults.Created($"/api/v1/tenants/{created.Id}", new CreatedTenantResponse(
            created.Id, created.Name, created.CreatedAt, created.UpdatedAt, created.Version,
            adminUser is null ? null : UserResponse.From(adminUser),
            adminClient is null ? null : ApiClientResponse.From(adminClient) with { ClientSecret = secret }));
    }

    private static bool IsPlatformAdmin(TenantContext tenant) => tenant.TenantId == TenantContext.DefaultTenantId;

    /// <summary>A tenant owns itself, so the tenant filter leaves an admin their own; the platform admin looks past it.</summary>
    private static IQueryable<Tenant> Visible(IdentityDbContext db, TenantContext tenant) =>
        IsPlatformAdmin(tenant) ? db.Tenants.IgnoreQueryFilters() : db.Tenants;

    private static User NewAdminUser(UserRequest request, Guid tenantId, IPasswordHasher<User> hasher)
    {
        var user = new User { TenantId = tenantId };
        (request with { Roles = [Roles.Admin], TeamIds = [] }).ApplyTo(user, hasher);
        return user;
    }
}
