using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using CrmPlatform.Identity.Tokens;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CrmPlatform.Tests.Identity;

/// <summary>Every service checks the token itself: signature, issuer, audience, lifetime and tenant.</summary>
public sealed class TokenValidationTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    /// <summary>A token signed with Identity's real current key (unless told otherwise), then changed by the test.</summary>
    private Task<string> CraftTokenAsync(Action<SecurityTokenDescriptor>? change = null, SigningCredentials? credentials = null) =>
        Platform.Identity.CraftTokenAsync("crafted", TenantContext.DefaultTenantId, [Roles.Admin], change, credentials);

    private async Task<HttpStatusCode> StatusWithAsync(string? token)
    {
        using var client = Platform.Contacts.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        var answer = await client.GetJsonAsync("/api/v1/people");
        if (answer.Status != HttpStatusCode.OK)
        {
            answer.AssertProblem(answer.Status);
        }
        return answer.Status;
    }

    [Fact]
    public async Task A_crafted_token_with_the_real_key_is_accepted_so_the_rejections_below_are_about_their_one_flaw()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(await CraftTokenAsync()));
    }

    [Fact]
    public async Task No_token_or_garbage_answers_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync("garbage"));
    }

    [Fact]
    public async Task An_expired_token_answers_401()
    {
        var token = await CraftTokenAsync(d =>
        {
            d.IssuedAt = DateTime.UtcNow.AddHours(-2);
            d.NotBefore = DateTime.UtcNow.AddHours(-2);
            d.Expires = DateTime.UtcNow.AddMinutes(-5);
        });
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(token));
    }

    [Fact]
    public async Task A_token_for_another_audience_or_from_another_issuer_answers_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(await CraftTokenAsync(d => d.Audience = "some-other-api")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(await CraftTokenAsync(d => d.Issuer = "http://evil.test")));
    }

    [Fact]
    public async Task A_token_signed_by_another_key_answers_401_even_with_the_real_key_id()
    {
        var real = await Platform.Identity.Factory.Services.GetRequiredService<SigningKeyStore>().SigningCredentialsAsync();
        var forged = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = real.Key.KeyId };
        var token = await CraftTokenAsync(credentials: new SigningCredentials(forged, SecurityAlgorithms.EcdsaSha256));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(token));
    }

    [Fact]
    public async Task A_token_whose_claims_were_changed_after_signing_answers_401()
    {
        var token = await Platform.Identity.AdminTokenAsync();
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]));
        var tampered = payload.Replace(TenantContext.DefaultTenantId.ToString(), Guid.NewGuid().ToString());
        Assert.NotEqual(payload, tampered);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync($"{parts[0]}.{Base64UrlEncoder.Encode(tampered)}.{parts[2]}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync($"{parts[0]}.{parts[1]}."));
    }

    [Fact]
    public async Task A_valid_token_without_a_tenant_answers_403()
    {
        var token = await CraftTokenAsync(d => d.Claims.Remove("tenant_id"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusWithAsync(token));
    }

    [Fact]
    public async Task Health_probes_answer_without_a_token()
    {
        using var client = Platform.Sales.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }

    [Fact]
    public async Task The_token_endpoint_refuses_wrong_secrets_and_other_grants_in_oauth_terms()
    {
        var wrong = await Platform.Identity.RequestTokenAsync("test-admin", "wrong-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("\"invalid_client\"", await wrong.Content.ReadAsStringAsync());

        var password = await Platform.Identity.RequestTokenAsync("test-admin", "irrelevant", grantType: "password");
        Assert.Equal(HttpStatusCode.BadRequest, password.StatusCode);
        Assert.Contains("\"unsupported_grant_type\"", await password.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_jwks_publishes_the_key_tokens_are_signed_with()
    {
        var token = new JsonWebToken(await Platform.Identity.AdminTokenAsync());
        using var client = Platform.Identity.Factory.CreateClient();
        var jwks = await client.GetJsonAsync("/.well-known/jwks.json");

        var key = Assert.Single(jwks.Body.GetProperty("keys").EnumerateArray(), k => k.Str("kid") == token.Kid);
        Assert.Equal("EC", key.Str("kty"));
        Assert.False(key.TryGetProperty("d", out _), "the private part must never be published");
        Assert.Equal("ES256", token.Alg);
        Assert.Equal(TenantContext.DefaultTenantId.ToString(), token.GetClaim("tenant_id").Value);
    }
}
