namespace CrmPlatform.Identity.Apis;

/// <summary>
/// OAuth protocol errors in OAuth's own shape (<c>{ "error": "invalid_grant", "error_description": "..." }</c>, RFC 6749
/// §5.2), which every OAuth client library understands; the admin APIs answer problem details instead.
/// </summary>
public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string UnsupportedResponseType = "unsupported_response_type";
    public const string AccessDenied = "access_denied";

    public static IResult Json(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Json(new OAuthError(error, description), statusCode: status);

    public static IResult InvalidClientJson(string description) => Json(InvalidClient, description, StatusCodes.Status401Unauthorized);
}
