using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using CrmPlatform.Identity.Tokens;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Apis;

/// <summary>
/// The OAuth 2 token endpoint: client credentials (RFC 6749 §4.4) for partner systems, and the authorization code
/// (with PKCE) and refresh token grants for front-ends; plus token revocation (RFC 7009).
/// </summary>
public static class TokenApi
{
    public static IEndpointRouteBuilder MapTokenApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/connect/token", IssueToken).AllowAnonymous().DisableAntiforgery().WithTags("OAuth")
            .Accepts<OAuthTokenForm>("application/x-www-form-urlencoded").Produces<OAuthTokenResponse>()
            .Produces<OAuthError>(StatusCodes.Status400BadRequest).Produces<OAuthError>(StatusCodes.Status401Unauthorized);
        app.MapPost("/connect/revocation", Revoke).AllowAnonymous().DisableAntiforgery().WithTags("OAuth")
            .Accepts<OAuthRevocationForm>("application/x-www-form-urlencoded").Produces(StatusCodes.Status200OK)
            .Produces<OAuthError>(StatusCodes.Status400BadRequest).Produces<OAuthError>(StatusCodes.Status401Unauthorized);
        return app;
    }

    public static async Task<IResult> IssueToken(
        HttpContext context, IdentityDbContext db, TokenIssuer tokens, AuthorizationCodes codes, RefreshTokens refreshTokens,
        CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            return OAuthErrors.Json(OAuthErrors.InvalidRequest, "The token request must be application/x-www-form-urlencoded.");
        }
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var grantType = form["grant_type"].ToString();
        if (!GrantTypes.All.Contains(grantType))
        {
            return OAuthErrors.Json(OAuthErrors.UnsupportedGrantType, $"Supported grants: {string.Join(", ", GrantTypes.All)}.");
        }
        if (await ClientAuthentication.AuthenticateAsync(context.Request, form, db, cancellationToken) is not { } client)
        {
            return OAuthErrors.InvalidClientJson("Unknown client, wrong secret, or no client authentication.");
        }
        if (!client.Allows(grantType) || (grantType == GrantTypes.ClientCredentials && client.IsPublic))
        {
            return OAuthErrors.Json(OAuthErrors.UnauthorizedClient, $"This client may not use the {grantType} grant.");
        }

        context.Response.Headers.CacheControl = "no-store";
        if (grantType == GrantTypes.ClientCredentials)
        {
            return TokenResponse(await tokens.IssueAsync(client, cancellationToken), tokens.Lifetime, refreshToken: null, scope: null);
        }

        // Both user grants end the same way: a token for a user who still exists and may still sign in.
        Guid familyId, userId;
        string? scope;
        if (grantType == GrantTypes.AuthorizationCode)
        {
            var code = await codes.RedeemAsync(form["code"].ToString(), client, form["redirect_uri"], form["code_verifier"], cancellationToken);
            if (code is null)
            {
                return OAuthErrors.Json(OAuthErrors.InvalidGrant, "The code is unknown, expired, already used, or does not match the redirect_uri or code_verifier.");
            }
            (familyId, userId, scope) = (code.Id, code.UserId, code.Scope);
        }
        else
        {
            var previous = await refreshTokens.RedeemAsync(form["refresh_token"].ToString(), client, cancellationToken);
            if (previous is null)
            {
                return OAuthErrors.Json(OAuthErrors.InvalidGrant, "The refresh token is unknown, expired, revoked or already used.");
            }
            (familyId, userId, scope) = (previous.FamilyId, previous.UserId, previous.Scope);
        }

        var user = await db.Users.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || user.Disabled)
        {
            await refreshTokens.RevokeFamilyAsync(familyId, cancellationToken);
            return OAuthErrors.Json(OAuthErrors.InvalidGrant, "The user no longer exists or is disabled.");
        }
        var refreshToken = client.Allows(GrantTypes.RefreshToken)
            ? await refreshTokens.IssueAsync(familyId, user, client.ClientId, scope, cancellationToken)
            : null;
        return TokenResponse(await tokens.IssueAsync(user, client, scope, cancellationToken), tokens.Lifetime, refreshToken, scope);
    }

    /// <summary>RFC 7009: answers 200 whether or not the token was known, so it cannot be used to probe tokens.</summary>
    public static async Task<IResult> Revoke(HttpContext context, IdentityDbContext db, RefreshTokens refreshTokens, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            return OAuthErrors.Json(OAuthErrors.InvalidRequest, "The revocation request must be application/x-www-form-urlencoded.");
        }
        var form = await context.Request.ReadFormAsync(cancellationToken);
        if (await ClientAuthentication.AuthenticateAsync(context.Request, form, db, cancellationToken) is not { } client)
        {
            return OAuthErrors.InvalidClientJson("Unknown client, wrong secret, or no client authentication.");
        }
        if (form["token"].ToString() is not { Length: > 0 } token)
        {
            return OAuthErrors.Json(OAuthErrors.InvalidRequest, "The token parameter is required.");
        }

        // Access tokens are self-contained JWTs that expire within minutes; only refresh tokens can be revoked here.
        await refreshTokens.RevokeAsync(token, client, cancellationToken);
        return TypedResults.Ok();
    }

    private static IResult TokenResponse(string accessToken, TimeSpan lifetime, string? refreshToken, string? scope)
    {
        return TypedResults.Json(new OAuthTokenResponse(accessToken, "Bearer", (int)lifetime.TotalSeconds, refreshToken,
            string.IsNullOrEmpty(scope) ? null : scope));
    }
}
