using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Apis;

/// <summary>
/// An API client as an admin sets it. <c>clientId</c> (generated when left out) and <c>isPublic</c> are fixed once the
/// client exists: tokens and secrets were handed out under them.
/// </summary>
public sealed record ApiClientRequest(
    string? ClientId, string? Name, bool? IsPublic, List<string>? RedirectUris, List<string>? GrantTypes, List<string>? Roles, bool? Disabled,
    List<string>? Scopes = null)
{
    public FieldErrors Validate(ApiClient? existing)
    {
        var isPublic = existing?.IsPublic ?? IsPublic ?? false;
        var grantTypes = GrantTypesFor(isPublic);
        var errors = new FieldErrors()
            .Required("name", Name, ApiClient.NameMaxLength)
            .When(ClientId is not null && !IsValidClientId(ClientId), "clientId",
                $"clientId must be 3 to {ApiClient.ClientIdMaxLength} letters, digits, '.', '_', '-' or '~', and not look like a user id.")
            .When(existing is not null && ClientId is not null && ClientId != existing.ClientId, "clientId", "clientId cannot change.")
            .When(existing is not null && IsPublic is not null && IsPublic != existing.IsPublic, "isPublic", "isPublic cannot change.")
            .When(grantTypes.Except(Model.GrantTypes.All).Any(), "grantTypes", $"grantTypes must be among: {string.Join(", ", Model.GrantTypes.All)}.")
            .When(isPublic && grantTypes.Contains(Model.GrantTypes.ClientCredentials), "grantTypes",
                "A public client cannot use client_credentials: it has no secret to prove itself with.")
            .When(grantTypes.Contains(Model.GrantTypes.AuthorizationCode) && (RedirectUris ?? []).Count == 0, "redirectUris",
                "The authorization_code grant needs at least one redirect URI.")
            .When(Roles?.Except(ServiceDefaults.Roles.All).Any() == true, "roles", $"roles must be among: {string.Join(", ", ServiceDefaults.Roles.All)}.")
            .When(Scopes?.Any(scope => !ApiClient.IsValidScope(scope)) == true, "scopes",
                "scopes are resource:operation pairs such as people:read, opportunities:create or people:* (operations: read, create, update, delete).");
        foreach (var uri in RedirectUris ?? [])
        {
            errors.When(!IsValidRedirectUri(uri), "redirectUris", $"'{uri}' is not an absolute http(s) URI without a fragment.");
        }
        return errors;
    }

    /// <summary>Public clients default to the browser flow, confidential ones to client credentials.</summary>
    public List<string> GrantTypesFor(bool isPublic) => GrantTypes?.Distinct().ToList()
        ?? (isPublic ? [Model.GrantTypes.AuthorizationCode, Model.GrantTypes.RefreshToken] : [Model.GrantTypes.ClientCredentials]);

    public void ApplyTo(ApiClient client)
    {
        client.Name = Name!.Trim();
        client.RedirectUris = RedirectUris?.Distinct().ToList() ?? [];
        client.GrantTypes = GrantTypesFor(client.IsPublic);
        client.Roles = Roles?.Distinct().ToList() ?? [];
        client.Scopes = Scopes?.Distinct().ToList() ?? [];
        client.Disabled = Disabled ?? false;
    }

    // A GUID-shaped client id would make a client's tokens (sub = client id) look like a user's (sub = user id).
    private static bool IsValidClientId(string id) =>
        id.Length is >= 3 and <= ApiClient.ClientIdMaxLength
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '~')
        && !Guid.TryParse(id, out _);

    // RFC 6749 §3.1.2: absolute, no fragment.
    private static bool IsValidRedirectUri(string uri) =>
        uri.Length <= ApiClient.RedirectUriMaxLength
        && Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
        && parsed.Scheme is "https" or "http"
        && parsed.Fragment.Length == 0;
}

/// <summary><c>clientSecret</c> is only ever in the answer to create: it is stored hashed and cannot be shown again.</summary>
public sealed record ApiClientResponse(
    Guid Id, string ClientId, string Name, bool IsPublic, IReadOnlyList<string> RedirectUris, IReadOnlyList<string> GrantTypes,
    IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes, bool Disabled, DateTime CreatedAt, DateTime UpdatedAt, int Version,
    string? ClientSecret = null)
{
    public static ApiClientResponse From(ApiClient c) =>
        new(c.Id, c.ClientId, c.Name, c.IsPublic, c.RedirectUris, c.GrantTypes, c.Roles, c.Scopes, c.Disabled, c.CreatedAt, c.UpdatedAt, c.Version);
}

public static class ApiClientsApi
{
    private const string Resource = "API client";

    public static RouteGroupBuilder MapApiClientsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/api-clients").WithTags("API clients");
        api.MapGet("/", ListClients).RequirePermission(Permissions.ApiClients, Operation.Read);
        api.MapGet("/{id:guid}", GetClient).RequirePermission(Permissions.ApiClients, Operation.Read);
        api.MapPost("/", CreateClient).RequirePermission(Permissions.ApiClients, Operation.Create);
        api.MapPut("/{id:guid}", UpdateClient).RequirePermission(Permissions.ApiClients, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteClient).RequirePermission(Permissions.ApiClients, Operation.Delete);
        return api;
    }

    public static async Task<Results<Ok<CursorPage<ApiClientResponse>>, ValidationProblem>> ListClients(
        IdentityDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await db.ApiClients.AsNoTracking().ToCursorPageAsync(page, ApiClientResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<ApiClientResponse>, ProblemHttpResult>> GetClient(
        Guid id, IdentityDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var client = await db.ApiClients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (client is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, client.Version);
        return TypedResults.Ok(ApiClientResponse.From(client));
    }

    public static async Task<Results<Created<ApiClientResponse>, ValidationProblem, ProblemHttpResult>> CreateClient(
        ApiClientRequest request, IdentityDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate(existing: null);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (client, secret) = NewClient(request, tenantId: null);
        if (await db.ApiClients.IgnoreQueryFilters().AnyAsync(c => c.ClientId == client.ClientId, cancellationToken))
        {
            return ApiProblems.Conflict(ClientIdInUse(client.ClientId));
        }
        db.ApiClients.Add(client);

        if (await Saves.SaveAsync(db, Resource, client.Id, ClientIdInUse(client.ClientId), cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(response, client.Version);
        return TypedResults.Created($"/api/v1/api-clients/{client.Id}", ApiClientResponse.From(client) with { ClientSecret = secret });
    }

    public static async Task<Results<Ok<ApiClientResponse>, ValidationProblem, ProblemHttpResult>> UpdateClient(
        Guid id, ApiClientRequest request, IdentityDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var client = await db.ApiClients.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (client is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var errors = request.Validate(client);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (ETags.CheckIfMatch(http.Request, client.Version, out _) is { } precondition)
        {
            return precondition;
        }

        request.ApplyTo(client);
        if (await Saves.SaveAsync(db, Resource, client.Id, cancellationToken: cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(http.Response, client.Version);
        return TypedResults.Ok(ApiClientResponse.From(client));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteClient(
        Guid id, IdentityDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var client = await db.ApiClients.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (client is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, client.Version, out _) is { } precondition)
        {
            return precondition;
        }
        db.ApiClients.Remove(client);
        return await Saves.SaveAsync(db, Resource, id, cancellationToken: cancellationToken) is { } conflict ? conflict : TypedResults.NoContent();
    }

    /// <summary>A client from a validated request, with its one-time secret unless it is public.</summary>
    internal static (ApiClient Client, string? Secret) NewClient(ApiClientRequest request, Guid? tenantId)
    {
        var client = new ApiClient { ClientId = request.ClientId ?? $"client-{Guid.NewGuid():N}", IsPublic = request.IsPublic ?? false };
        if (tenantId is { } id)
        {
            client.TenantId = id;
        }
        request.ApplyTo(client);
        var secret = client.IsPublic ? null : ApiClient.NewSecret();
        if (secret is not null)
        {
            client.SetSecret(secret);
        }
        return (client, secret);
    }

    private static string ClientIdInUse(string clientId) => $"The client id '{clientId}' is already in use.";
}
