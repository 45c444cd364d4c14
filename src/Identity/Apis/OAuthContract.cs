using System.Text.Json.Serialization;

namespace CrmPlatform.Identity.Apis;

/// <summary>An OAuth error (RFC 6749 §5.2): OAuth's own shape, which every OAuth client library reads.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);

/// <summary>A token response (RFC 6749 §5.1); <c>refresh_token</c> and <c>scope</c> only for the user grants.</summary>
public sealed record OAuthTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("refresh_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken = null,
    [property: JsonPropertyName("scope"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scope = null);

/// <summary>
/// The token request's form fields, for the OpenAPI document (the endpoint reads the form itself, to answer in OAuth's
/// error shape): <c>client_credentials</c> needs the client's id and secret (or HTTP Basic), <c>authorization_code</c>
/// the code, <c>redirect_uri</c> and <c>code_verifier</c> (PKCE), <c>refresh_token</c> the refresh token.
/// </summary>
public sealed record OAuthTokenForm(
    [property: JsonPropertyName("grant_type")] string GrantType,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("client_secret")] string? ClientSecret,
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("redirect_uri")] string? RedirectUri,
    [property: JsonPropertyName("code_verifier")] string? CodeVerifier,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("scope")] string? Scope);

/// <summary>The revocation request's form fields (RFC 7009), for the OpenAPI document.</summary>
public sealed record OAuthRevocationForm(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("token_type_hint")] string? TokenTypeHint,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("client_secret")] string? ClientSecret);
