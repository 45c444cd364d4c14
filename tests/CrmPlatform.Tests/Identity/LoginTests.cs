using System.Net;
using CrmPlatform.Identity.Login;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Identity;

/// <summary>The login form: lockout after repeated failures, one answer for every refusal, and two-factor sign-in.</summary>
public sealed class LoginTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private IdentityServer Identity => fixture.Identity;
    private HttpClient Admin => fixture.Admin;

    [Fact]
    public async Task The_right_password_signs_in_and_returns_to_a_local_url_only()
    {
        var user = await IdentityApi.NewUserAsync(Admin);
        using var session = new LoginSession(Identity);

        var login = await session.LoginAsync(user.Email.ToUpperInvariant(), user.Password, returnUrl: "/connect/authorize?x=1");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/connect/authorize?x=1", login.Headers.Location?.OriginalString);
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("crm_identity_session=") && c.Contains("httponly"));

        var elsewhere = await session.LoginAsync(user.Email, user.Password, returnUrl: "https://evil.test/");
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        Assert.Null(elsewhere.Headers.Location);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_so_even_the_right_password_is_refused_with_the_same_answer()
    {
        var user = await IdentityApi.NewUserAsync(Admin);
        using var session = new LoginSession(Identity);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            await LoginSession.AssertRefusedAsync(await session.LoginAsync(user.Email, "wrong password"));
        }
        await LoginSession.AssertRefusedAsync(await session.LoginAsync(user.Email, user.Password));
        // An unknown email gets the very same answer, so the form does not reveal who has an account.
        await LoginSession.AssertRefusedAsync(await session.LoginAsync($"{Guid.NewGuid():N}@nobody.test", user.Password));

        var locked = (await Admin.GetJsonAsync($"/api/v1/users/{user.Id}")).Body;
        var lockedUntil = locked.GetProperty("lockedUntil").GetDateTime();
        Assert.InRange(lockedUntil, DateTime.UtcNow.AddMinutes(14), DateTime.UtcNow.AddMinutes(16));
        // Login bookkeeping is no edit: the version an admin holds stays valid.
        Assert.Equal(1, locked.GetProperty("version").GetInt32());

        // An admin setting a new password lets the person back in.
        var reset = await Admin.PutJsonAsync($"/api/v1/users/{user.Id}",
            new { email = user.Email, displayName = "Grace Hopper", password = "a brand new one", roles = new[] { "sales-rep" } }, locked.ETag());
        Assert.Equal(HttpStatusCode.OK, reset.Status);
        Assert.Equal(HttpStatusCode.Redirect, (await session.LoginAsync(user.Email, "a brand new one", returnUrl: "/login")).StatusCode);
    }

    [Fact]
    public async Task A_success_starts_the_count_of_failures_again()
    {
        var user = await IdentityApi.NewUserAsync(Admin);
        using var session = new LoginSession(Identity);
        for (var round = 0; round < 2; round++)
        {
            for (var attempt = 0; attempt < 4; attempt++)
            {
                await LoginSession.AssertRefusedAsync(await session.LoginAsync(user.Email, "wrong password"));
            }
            // Eight failures in all, but never five in a row.
            Assert.Equal(HttpStatusCode.Redirect, (await session.LoginAsync(user.Email, user.Password, returnUrl: "/login")).StatusCode);
        }
    }

    [Fact]
    public async Task With_two_factor_on_a_login_needs_a_current_code_which_works_only_once()
    {
        var user = await IdentityApi.NewUserAsync(Admin);
        using var session = new LoginSession(Identity);
        var client = await IdentityApi.NewPublicClientAsync(Admin, "http://127.0.0.1:9/callback");
        var flow = new CodeFlow(Identity, client, "http://127.0.0.1:9/callback");
        var tokens = await flow.ExchangeAsync(await flow.SignInForCodeAsync(session, user));
        using var self = Identity.ClientWith(tokens.Body.Str("access_token"));

        // The user sets it up themself; another non-admin user may not.
        var other = await IdentityApi.NewUserAsync(Admin);
        (await self.PostJsonAsync($"/api/v1/users/{other.Id}/totp", new { })).AssertProblem(HttpStatusCode.Forbidden);
        var setup = await self.PostJsonAsync($"/api/v1/users/{user.Id}/totp", new { });
        Assert.Equal(HttpStatusCode.OK, setup.Status);
        var secret = setup.Body.Str("secret");
        Assert.StartsWith("otpauth://totp/", setup.Body.Str("otpauthUri"));
        Assert.Contains($"secret={secret}", setup.Body.Str("otpauthUri"));

        // Not on until a code from the secret is confirmed.
        Assert.Equal(HttpStatusCode.Redirect, (await session.LoginAsync(user.Email, user.Password, returnUrl: "/login")).StatusCode);
        (await self.PostJsonAsync($"/api/v1/users/{user.Id}/totp/confirm", new { code = "000000" })).AssertProblem(HttpStatusCode.BadRequest);
        var step = TotpStep(DateTime.UtcNow);
        Assert.Equal(HttpStatusCode.NoContent, (await self.PostJsonAsync($"/api/v1/users/{user.Id}/totp/confirm", new { code = Totp.Code(secret, step) })).Status);
        Assert.True((await Admin.GetJsonAsync($"/api/v1/users/{user.Id}")).Body.GetProperty("totpEnabled").GetBoolean());

        await LoginSession.AssertRefusedAsync(await session.LoginAsync(user.Email, user.Password));
        await LoginSession.AssertRefusedAsync(await session.LoginAsync(user.Email, user.Password, code: WrongCode(Totp.Code(secret, step + 1))));
        // The code of the next step (accepted for clock drift) is one the confirmation has not used up.
        var next = Totp.Code(secret, step + 1);
        Assert.Equal(HttpStatusCode.Redirect, (await session.LoginAsync(user.Email, user.Password, code: next, returnUrl: "/login")).StatusCode);
        await LoginSession.AssertRefusedAsync(await session.LoginAsync(user.Email, user.Password, code: next));

        // Lost the phone: an admin turns it off, and the password alone works again.
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteJsonAsync($"/api/v1/users/{user.Id}/totp", ifMatch: null)).Status);
        Assert.Equal(HttpStatusCode.Redirect, (await session.LoginAsync(user.Email, user.Password, returnUrl: "/login")).StatusCode);
    }

    [Fact]
    public void Totp_matches_the_rfc_6238_test_vectors()
    {
        // RFC 6238 appendix B, SHA-1 key "12345678901234567890"; the RFC prints 8 digits, of which we use the last 6.
        var secret = Base32.Encode("12345678901234567890"u8);
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", secret);
        Assert.Equal("12345678901234567890"u8.ToArray(), Base32.Decode(secret.ToLowerInvariant()));
        var vectors = new (long UnixTime, string Code)[] { (59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"), (2000000000, "279037") };
        foreach (var (unixTime, code) in vectors)
        {
            var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixTime).UtcDateTime);
            Assert.Equal(code, Totp.Code(secret, step));
        }
    }

    private static long TotpStep(DateTime utc) => new DateTimeOffset(utc).ToUnixTimeSeconds() / 30;

    private static string WrongCode(string code) => ((int.Parse(code) + 1) % 1_000_000).ToString("D6");
}
