using System.Net.Http.Headers;
using System.Text;
using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Tokens;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Apis;

/// <summary>
/// The OAuth 2 token endpoint (RFC 6749 §4.4, client credentials). Errors use OAuth's own shape
/// (<c>{ "error": "invalid_client" }</c>), which every OAuth client library understands.
/// </summary>
public static class TokenApi
{
    public static IEndpointRouteBuilder MapTokenApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/connect/token", IssueToken).AllowAnonymous().DisableAntiforgery().WithTags("OAuth");
        return app;
    }

    public static async Task<IResult> IssueToken(HttpContext context, IdentityDbContext db, TokenIssuer tokens, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            return OAuthError("invalid_request", "The token request must be application/x-www-form-urlencoded.");
        }
        var form = await context.Request.ReadFormAsync(cancellationToken);
        if (form["grant_type"] != "client_credentials")
        {
            return OAuthError("unsupported_grant_type", "Only the client_credentials grant is supported.");
        }
        if (ReadClientCredentials(context.Request, form) is not var (clientId, secret))
        {
            return OAuthError("invalid_client", "Client authentication is required.", StatusCodes.Status401Unauthorized);
        }

        // Client ids are global, so this lookup crosses tenants on purpose; the token then carries the client's tenant.
        var client = await db.ApiClients.IgnoreQueryFilters().SingleOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        if (client is null || client.Disabled || !client.HasSecret(secret))
        {
            return OAuthError("invalid_client", "Unknown client or wrong secret.", StatusCodes.Status401Unauthorized);
        }

        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new Dictionary<string, object>
        {
            ["access_token"] = await tokens.IssueAsync(client, cancellationToken),
            ["token_type"] = "Bearer",
            ["expires_in"] = (int)tokens.Lifetime.TotalSeconds,
        });
    }

    /// <summary>HTTP Basic (client_secret_basic) or form fields (client_secret_post).</summary>
    private static (string ClientId, string Secret)? ReadClientCredentials(HttpRequest request, IFormCollection form)
    {
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) && header.Scheme == "Basic" && header.Parameter is { } encoded)
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split(':', 2);
                return pair.Length == 2 ? (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1])) : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return form["client_id"].ToString() is { Length: > 0 } id && form["client_secret"].ToString() is { Length: > 0 } secret ? (id, secret) : null;
    }

    private static IResult OAuthError(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
}
