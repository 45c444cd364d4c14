using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace CrmPlatform.Tests.Identity;

/// <summary>
/// The client side of the authorization code flow with PKCE, computed here independently of Identity's code: the
/// verifier, its S256 challenge, the authorize URL, and the token endpoint calls.
/// </summary>
public sealed class CodeFlow(IdentityServer identity, string clientId, string redirectUri)
{
    public const string State = "state-42";

    public string Verifier { get; } = NewVerifier();

    public static string NewVerifier() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string ChallengeFor(string verifier) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public string AuthorizePath(string? challenge = null, string? redirect = null) => QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
    {
        ["response_type"] = "code",
        ["client_id"] = clientId,
        ["redirect_uri"] = redirect ?? redirectUri,
        ["code_challenge"] = challenge ?? ChallengeFor(Verifier),
        ["code_challenge_method"] = "S256",
        ["state"] = State,
        ["scope"] = "crm",
    });

    /// <summary>Signs in on the login page, follows it back to authorize, and returns the code sent to the redirect URI.</summary>
    public async Task<string> SignInForCodeAsync(LoginSession session, TestUser user, string? oneTimeCode = null)
    {
        var login = await session.LoginAsync(user.Email, user.Password, oneTimeCode, AuthorizePath());
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var authorize = await session.GetAsync(login.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        return CodeFrom(authorize.Headers.Location!);
    }

    public string CodeFrom(Uri redirect)
    {
        Assert.StartsWith(redirectUri, redirect.AbsoluteUri);
        var query = QueryHelpers.ParseQuery(redirect.Query);
        Assert.Equal(State, query["state"].ToString());
        return query["code"].ToString();
    }

    public Task<ApiAnswer> ExchangeAsync(string code, string? verifier = null) => PostFormAsync("/connect/token", new()
    {
        ["grant_type"] = "authorization_code",
        ["code"] = code,
        ["redirect_uri"] = redirectUri,
        ["client_id"] = clientId,
        ["code_verifier"] = verifier ?? Verifier,
    });

    public Task<ApiAnswer> RefreshAsync(string refreshToken) => PostFormAsync("/connect/token", new()
    {
        ["grant_type"] = "refresh_token",
        ["refresh_token"] = refreshToken,
        ["client_id"] = clientId,
    });

    public Task<ApiAnswer> RevokeAsync(string token) => PostFormAsync("/connect/revocation", new()
    {
        ["token"] = token,
        ["token_type_hint"] = "refresh_token",
        ["client_id"] = clientId,
    });

    /// <summary>Asserts an OAuth error answer (not problem details: OAuth clients read <c>error</c>).</summary>
    public static void AssertOAuthError(ApiAnswer answer, string error, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal(error, answer.Body.Str("error"));
        Assert.False(string.IsNullOrEmpty(answer.Body.Str("error_description")));
    }

    private async Task<ApiAnswer> PostFormAsync(string path, Dictionary<string, string> form)
    {
        using var http = new HttpClient { BaseAddress = new Uri(identity.Address) };
        var response = await http.PostAsync(path, new FormUrlEncodedContent(form));
        var text = await response.Content.ReadAsStringAsync();
        return new ApiAnswer(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }
}
