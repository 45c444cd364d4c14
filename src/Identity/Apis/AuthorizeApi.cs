using System.Security.Claims;
using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using CrmPlatform.Identity.Tokens;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Apis;

public sealed record AuthorizeRequest(
    [FromQuery(Name = "response_type")] string? ResponseType,
    [FromQuery(Name = "client_id")] string? ClientId,
    [FromQuery(Name = "redirect_uri")] string? RedirectUri,
    [FromQuery(Name = "code_challenge")] string? CodeChallenge,
    [FromQuery(Name = "code_challenge_method")] string? CodeChallengeMethod,
    [FromQuery(Name = "state")] string? State,
    [FromQuery(Name = "scope")] string? Scope);

/// <summary>
/// The authorization endpoint (RFC 6749 §4.1 with PKCE): sends the browser to the login page until there is a
/// session, then back to the client's redirect URI with a one-time code.
/// </summary>
public static class AuthorizeApi
{
    public static IEndpointRouteBuilder MapAuthorizeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/connect/authorize", Authorize).AllowAnonymous().WithTags("OAuth")
            .Produces(StatusCodes.Status302Found).Produces<OAuthError>(StatusCodes.Status400BadRequest);
        return app;
    }

    public static async Task<IResult> Authorize(
        [AsParameters] AuthorizeRequest request, HttpContext context, IdentityDbContext db, AuthorizationCodes codes, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        var client = await db.ApiClients.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(c => c.ClientId == request.ClientId, cancellationToken);
        // Until the redirect URI is known to be the client's, errors must not be sent there (§4.1.2.1): it may be an attacker's.
        if (client is null || client.Disabled)
        {
            return OAuthErrors.Json(OAuthErrors.InvalidRequest, "Unknown or disabled client_id.");
        }
        if (request.RedirectUri is null || !client.RedirectUris.Contains(request.RedirectUri))
        {
            return OAuthErrors.Json(OAuthErrors.InvalidRequest, "redirect_uri is not one registered for this client.");
        }

        var redirectUri = request.RedirectUri;
        if (request.ResponseType != "code")
        {
            return RedirectError(redirectUri, request.State, OAuthErrors.UnsupportedResponseType, "Only response_type=code is supported.");
        }
        if (!client.Allows(GrantTypes.AuthorizationCode))
        {
            return RedirectError(redirectUri, request.State, OAuthErrors.UnauthorizedClient, "This client may not use the authorization code grant.");
        }
        if (request.CodeChallengeMethod != Pkce.Method || !Pkce.IsValidChallenge(request.CodeChallenge))
        {
            return RedirectError(redirectUri, request.State, OAuthErrors.InvalidRequest, "A code_challenge with code_challenge_method=S256 is required.");
        }

        var user = await SignedInUserAsync(context, db, cancellationToken);
        if (user is null)
        {
            var here = $"{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
            return TypedResults.Redirect(QueryHelpers.AddQueryString($"{context.Request.PathBase}/login", "returnUrl", here));
        }
        // Clients of the platform tenant are the CRM's own front-ends, open to every tenant's users; a tenant's own
        // client serves only its users, so a tenant admin cannot register an app that harvests other tenants' logins.
        if (client.TenantId != TenantContext.DefaultTenantId && client.TenantId != user.TenantId)
        {
            return RedirectError(redirectUri, request.State, OAuthErrors.AccessDenied, "This client is not available to your organisation.");
        }

        var code = await codes.IssueAsync(user, client, redirectUri, request.CodeChallenge!, request.Scope, cancellationToken);
        return TypedResults.Redirect(WithQuery(redirectUri, ("code", code), ("state", request.State)));
    }

    /// <summary>The user of the session cookie, if they still exist and may sign in.</summary>
    private static async Task<User?> SignedInUserAsync(HttpContext context, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var session = await context.AuthenticateAsync(LoginApi.CookieScheme);
        if (!session.Succeeded || !Guid.TryParse(session.Principal.FindFirstValue("sub"), out var userId))
        {
            return null;
        }
        var user = await db.Users.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user is { Disabled: false } ? user : null;
    }

    private static IResult RedirectError(string redirectUri, string? state, string error, string description) =>
        TypedResults.Redirect(WithQuery(redirectUri, ("error", error), ("error_description", description), ("state", state)));

    private static string WithQuery(string uri, params (string Name, string? Value)[] parameters) =>
        QueryHelpers.AddQueryString(uri, parameters.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Name, p.Value)));
}
