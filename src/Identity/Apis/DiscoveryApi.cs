using CrmPlatform.Identity.Model;
using CrmPlatform.Identity.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CrmPlatform.Identity.Apis;

/// <summary>OpenID Connect discovery and the public signing keys, which services read to validate tokens.</summary>
public static class DiscoveryApi
{
    public static IEndpointRouteBuilder MapDiscoveryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/openid-configuration", GetConfiguration).AllowAnonymous().WithTags("Discovery")
            .Produces<Dictionary<string, object>>();
        app.MapGet("/.well-known/jwks.json", GetKeys).AllowAnonymous().WithTags("Discovery")
            .Produces<PublicKeySet>();
        return app;
    }

    public static IResult GetConfiguration(HttpContext context, IOptions<IdentitySettings> settings)
    {
        // Endpoints are announced at the address the caller used (a service inside, a client through the gateway).
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
        return TypedResults.Json(new Dictionary<string, object>
        {
            ["issuer"] = settings.Value.Issuer,
            ["jwks_uri"] = $"{baseUrl}/.well-known/jwks.json",
            ["authorization_endpoint"] = $"{baseUrl}/connect/authorize",
            ["token_endpoint"] = $"{baseUrl}/connect/token",
            ["revocation_endpoint"] = $"{baseUrl}/connect/revocation",
            ["grant_types_supported"] = GrantTypes.All,
            ["response_types_supported"] = new[] { "code" },
            ["code_challenge_methods_supported"] = new[] { Pkce.Method },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post", "none" },
            ["revocation_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post", "none" },
            ["id_token_signing_alg_values_supported"] = new[] { SecurityAlgorithms.EcdsaSha256 },
            ["claims_supported"] = new[] { "sub", "tenant_id", "roles", "client_id", "name", "email", "scope" },
        });
    }

    public static async Task<IResult> GetKeys(SigningKeyStore keys, CancellationToken cancellationToken)
    {
        var published = await keys.KeysAsync(cancellationToken);
        var jwks = published.Select(key =>
        {
            var parameters = key.ECDsa.ExportParameters(includePrivateParameters: false);
            return new Dictionary<string, string>
            {
                ["kty"] = "EC",
                ["crv"] = "P-256",
                ["use"] = "sig",
                ["alg"] = SecurityAlgorithms.EcdsaSha256,
                ["kid"] = key.KeyId,
                ["x"] = Base64UrlEncoder.Encode(parameters.Q.X),
                ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
            };
        });
        return TypedResults.Json(new PublicKeySet([.. jwks]));
    }

    /// <summary>The public keys tokens are signed with (RFC 7517), each a map of its JWK parameters.</summary>
    public sealed record PublicKeySet([property: System.Text.Json.Serialization.JsonPropertyName("keys")] IReadOnlyList<Dictionary<string, string>> Keys);
}
