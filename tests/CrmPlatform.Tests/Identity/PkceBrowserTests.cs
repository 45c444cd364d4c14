using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CrmPlatform.Tests.Identity;

/// <summary>The authorization code flow with PKCE the way a front-end uses it: in a real browser (Debian's chromium).</summary>
public sealed class PkceBrowserTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    [Fact]
    public async Task A_user_signs_in_in_the_browser_and_the_code_from_the_redirect_gets_a_token_contacts_accepts()
    {
        await using var callback = await CallbackListener.StartAsync();
        using var admin = Platform.Identity.ClientWith(Platform.AdminToken);
        var user = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var flow = new CodeFlow(Platform.Identity, await IdentityApi.NewPublicClientAsync(admin, callback.RedirectUri), callback.RedirectUri);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            // A client address of its own, so other tests' logins do not count against this one's rate limit.
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-For"] = LoginSession.NewClientAddress() },
        });
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{Platform.Identity.Address}{flow.AuthorizePath()}");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        await page.FillAsync("#email", user.Email);
        await page.FillAsync("#password", user.Password);
        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "login-page.png"), FullPage = true });

        await page.ClickAsync("button[type=submit]");
        var redirect = await callback.Received.WaitAsync(TimeSpan.FromSeconds(30));
        // The address is what is asserted, not the callback page's load (which a loaded machine can delay past 30 s).
        await page.WaitForURLAsync($"{callback.RedirectUri}?**", new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal(CodeFlow.State, redirect["state"].ToString());
        var code = redirect["code"].ToString();

        CodeFlow.AssertOAuthError(await flow.ExchangeAsync(code, verifier: CodeFlow.NewVerifier()), "invalid_grant");
        var tokens = await flow.ExchangeAsync(code);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);

        using var contacts = Platform.ClientFor(Platform.Contacts, tokens.Body.Str("access_token"));
        Assert.Equal(HttpStatusCode.OK, (await contacts.GetJsonAsync("/api/v1/people")).Status);
        using var forged = Platform.ClientFor(Platform.Contacts, tokens.Body.Str("access_token") + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetJsonAsync("/api/v1/people")).Status);
    }
}
