using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CrmPlatform.Tests.Identity;

/// <summary>The authorization code flow over plain HTTP: what the token endpoint gives, refresh token rotation and revocation.</summary>
public sealed class CodeFlowTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private const string RedirectUri = "http://127.0.0.1:9/callback";
    private IdentityServer Identity => fixture.Identity;
    private HttpClient Admin => fixture.Admin;

    private async Task<(CodeFlow Flow, TestUser User, LoginSession Session)> StartAsync(params string[] roles)
    {
        var user = await IdentityApi.NewUserAsync(Admin, roles);
        var flow = new CodeFlow(Identity, await IdentityApi.NewPublicClientAsync(Admin, RedirectUri), RedirectUri);
        return (flow, user, new LoginSession(Identity));
    }

    [Fact]
    public async Task A_code_gives_a_user_token_and_a_refresh_token_once()
    {
        var (flow, user, session) = await StartAsync(Roles.SalesManager, Roles.Marketing);
        using var _ = session;
        var code = await flow.SignInForCodeAsync(session, user);

        var tokens = await flow.ExchangeAsync(code);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        Assert.Equal("no-store", tokens.Response.Headers.CacheControl?.ToString());
        Assert.Equal("Bearer", tokens.Body.Str("token_type"));
        Assert.Equal("crm", tokens.Body.Str("scope"));
        Assert.False(string.IsNullOrEmpty(tokens.Body.Str("refresh_token")));

        var access = new JsonWebToken(tokens.Body.Str("access_token"));
        Assert.Equal(user.Id.ToString(), access.Subject);
        Assert.Equal(TenantContext.DefaultTenantId.ToString(), access.GetClaim("tenant_id").Value);
        Assert.Equal(user.Email, access.GetClaim("email").Value);
        Assert.Equal("Grace Hopper", access.GetClaim("name").Value);
        Assert.Equal([Roles.SalesManager, Roles.Marketing], access.Claims.Where(c => c.Type == "roles").Select(c => c.Value));

        // A replayed code fails and takes the tokens it gave with it.
        CodeFlow.AssertOAuthError(await flow.ExchangeAsync(code), "invalid_grant");
        CodeFlow.AssertOAuthError(await flow.RefreshAsync(tokens.Body.Str("refresh_token")), "invalid_grant");
    }

    [Fact]
    public async Task A_wrong_verifier_or_redirect_uri_gets_invalid_grant_without_spending_the_code()
    {
        var (flow, user, session) = await StartAsync();
        using var _ = session;
        var code = await flow.SignInForCodeAsync(session, user);

        CodeFlow.AssertOAuthError(await flow.ExchangeAsync(code, verifier: CodeFlow.NewVerifier()), "invalid_grant");
        CodeFlow.AssertOAuthError(await flow.ExchangeAsync(code, verifier: "too-short"), "invalid_grant");
        Assert.Equal(HttpStatusCode.OK, (await flow.ExchangeAsync(code)).Status);
    }

    [Fact]
    public async Task Refreshing_rotates_the_token_and_reusing_an_old_one_revokes_the_whole_family()
    {
        var (flow, user, session) = await StartAsync();
        using var _ = session;
        var first = (await flow.ExchangeAsync(await flow.SignInForCodeAsync(session, user))).Body.Str("refresh_token");

        var refreshed = await flow.RefreshAsync(first);
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        var second = refreshed.Body.Str("refresh_token");
        Assert.NotEqual(first, second);
        Assert.Equal(user.Id.ToString(), new JsonWebToken(refreshed.Body.Str("access_token")).Subject);

        // Someone replays the first token: refused, and the second (maybe the thief's, maybe the owner's) dies with it.
        CodeFlow.AssertOAuthError(await flow.RefreshAsync(first), "invalid_grant");
        CodeFlow.AssertOAuthError(await flow.RefreshAsync(second), "invalid_grant");
    }

    [Fact]
    public async Task A_revoked_refresh_token_gets_invalid_grant()
    {
        var (flow, user, session) = await StartAsync();
        using var _ = session;
        var refreshToken = (await flow.ExchangeAsync(await flow.SignInForCodeAsync(session, user))).Body.Str("refresh_token");

        Assert.Equal(HttpStatusCode.OK, (await flow.RevokeAsync(refreshToken)).Status);
        CodeFlow.AssertOAuthError(await flow.RefreshAsync(refreshToken), "invalid_grant");
        // RFC 7009: an unknown token is answered like a known one.
        Assert.Equal(HttpStatusCode.OK, (await flow.RevokeAsync("never-issued")).Status);
    }

    [Fact]
    public async Task A_disabled_user_cannot_refresh()
    {
        var (flow, user, session) = await StartAsync();
        using var _ = session;
        var refreshToken = (await flow.ExchangeAsync(await flow.SignInForCodeAsync(session, user))).Body.Str("refresh_token");

        var current = (await Admin.GetJsonAsync($"/api/v1/users/{user.Id}")).Body;
        var disabled = await Admin.PutJsonAsync($"/api/v1/users/{user.Id}",
            new { email = user.Email, displayName = "Grace Hopper", roles = new[] { Roles.SalesRep }, disabled = true }, current.ETag());
        Assert.Equal(HttpStatusCode.OK, disabled.Status);

        CodeFlow.AssertOAuthError(await flow.RefreshAsync(refreshToken), "invalid_grant");
    }

    [Fact]
    public async Task Authorize_refuses_unregistered_redirect_uris_itself_and_other_errors_go_back_to_the_client()
    {
        var (flow, user, session) = await StartAsync();
        using var _ = session;
        Assert.Equal(HttpStatusCode.Redirect, (await session.LoginAsync(user.Email, user.Password, returnUrl: "/login")).StatusCode);

        var foreign = await session.GetAsync(flow.AuthorizePath(redirect: "https://evil.test/callback"));
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Null(foreign.Headers.Location);
        Assert.Contains("\"invalid_request\"", await foreign.Content.ReadAsStringAsync());

        var plain = await session.GetAsync(flow.AuthorizePath().Replace("code_challenge_method=S256", "code_challenge_method=plain"));
        Assert.Equal(HttpStatusCode.Redirect, plain.StatusCode);
        var query = QueryHelpers.ParseQuery(plain.Headers.Location!.Query);
        Assert.StartsWith(RedirectUri, plain.Headers.Location.AbsoluteUri);
        Assert.Equal("invalid_request", query["error"].ToString());
        Assert.Equal(CodeFlow.State, query["state"].ToString());
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task Without_a_session_authorize_sends_the_browser_to_the_login_page_and_back()
    {
        var (flow, _, session) = await StartAsync();
        using var __ = session;
        var authorize = await session.GetAsync(flow.AuthorizePath());
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var login = authorize.Headers.Location!.OriginalString;
        Assert.StartsWith("/login?returnUrl=", login);
        Assert.Equal(flow.AuthorizePath(), QueryHelpers.ParseQuery(login[login.IndexOf('?')..])["returnUrl"].ToString());
    }

    [Fact]
    public async Task A_tenants_own_client_serves_only_that_tenants_users()
    {
        var (_, otherToken) = await Identity.NewTenantAsync();
        using var otherAdmin = Identity.ClientWith(otherToken);
        var theirClient = await IdentityApi.NewPublicClientAsync(otherAdmin, RedirectUri);
        var platformUser = await IdentityApi.NewUserAsync(Admin);
        var flow = new CodeFlow(Identity, theirClient, RedirectUri);
        using var session = new LoginSession(Identity);

        var login = await session.LoginAsync(platformUser.Email, platformUser.Password, returnUrl: flow.AuthorizePath());
        var authorize = await session.GetAsync(login.Headers.Location!.OriginalString);
        Assert.Equal("access_denied", QueryHelpers.ParseQuery(authorize.Headers.Location!.Query)["error"].ToString());
    }

    [Fact]
    public async Task Discovery_announces_the_code_flow_with_pkce_and_revocation()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(Identity.Address) };
        var discovery = (await anonymous.GetJsonAsync("/.well-known/openid-configuration")).Body;
        Assert.Equal($"{Identity.Address}/connect/authorize", discovery.Str("authorization_endpoint"));
        Assert.Equal($"{Identity.Address}/connect/revocation", discovery.Str("revocation_endpoint"));
        Assert.Equal(["S256"], discovery.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["client_credentials", "authorization_code", "refresh_token"],
            discovery.GetProperty("grant_types_supported").EnumerateArray().Select(m => m.GetString()));
    }
}
