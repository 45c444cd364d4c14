using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace CrmPlatform.AppHost.Dashboard;

/// <summary>
/// Nothing of the dashboard or <c>/api/*</c> is visible without the browser token, as with Aspire's dashboard: a person
/// opens <c>/login?t=TOKEN</c> once and gets a cookie; scripts send <c>Authorization: Bearer TOKEN</c>.
/// </summary>
public static class DashboardAuthentication
{
    public const string Policy = "dashboard";
    private const string CookieScheme = "dashboard-cookie";
    private const string TokenScheme = "dashboard-token";
    private const string SelectorScheme = "dashboard";

    public static void AddDashboardAuthentication(this WebApplicationBuilder builder, AppHostOptions options)
    {
        var token = new BrowserToken(string.IsNullOrWhiteSpace(options.BrowserToken)
            ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))
            : options.BrowserToken);
        builder.Services.AddSingleton(token);
        builder.Services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, null, policy => policy.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 ? TokenScheme : CookieScheme)
            .AddCookie(CookieScheme, cookie =>
            {
                cookie.Cookie.Name = ".crm-dashboard";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.LoginPath = "/login";
                cookie.ExpireTimeSpan = TimeSpan.FromDays(3);
                cookie.SlidingExpiration = true;
                // APIs answer 401 rather than redirecting to the login page.
                cookie.Events.OnRedirectToLogin = context =>
                {
                    if (context.Request.Path.StartsWithSegments("/api"))
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    }
                    else
                    {
                        context.Response.Redirect(context.RedirectUri);
                    }

                    return Task.CompletedTask;
                };
            })
            .AddScheme<AuthenticationSchemeOptions, TokenHandler>(TokenScheme, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.RequireAuthenticatedUser());
    }

    /// <summary><c>/login?t=TOKEN</c> signs the browser in and goes to <c>returnUrl</c> (local only); a wrong token shows the form again.</summary>
    public static void MapDashboardLogin(this WebApplication app, AppHostOptions options)
    {
        var login = app.MapGroup("").RequireHost(Endpoints.HostOf(options.DashboardUrl));
        login.MapGet("/login", async (HttpContext context, BrowserToken token, string? t, string? returnUrl) =>
        {
            if (t is null || !token.Matches(t))
            {
                return Results.Content(LoginPage(t is not null), "text/html; charset=utf-8");
            }

            await context.SignInAsync(CookieScheme, Principal(CookieScheme));
            return Results.LocalRedirect(returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") ? returnUrl : "/");
        }).AllowAnonymous();
        login.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieScheme);
            return Results.LocalRedirect("/login");
        }).RequireAuthorization(Policy).DisableAntiforgery();
    }

    /// <summary>Prints the login URL once the host listens, as Aspire prints its dashboard link.</summary>
    public static void PrintLoginUrl(this WebApplication app, AppHostOptions options)
    {
        var token = app.Services.GetRequiredService<BrowserToken>();
        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
            "Dashboard: {Url}/login?t={Token}", options.DashboardUrl.TrimEnd('/'), token.Value));
    }

    private static ClaimsPrincipal Principal(string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator")], scheme));

    private static string LoginPage(bool wrongToken) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>CRM platform dashboard: log in</title>
        <style>body{font-family:system-ui,sans-serif;display:grid;place-items:center;height:90vh;background:#f5f6f8}
        form{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;min-width:22rem}
        input{width:100%;padding:.5rem;margin:.5rem 0 1rem;box-sizing:border-box}.error{color:#b00020}</style></head>
        <body><form method="get" action="/login">
        <h1>CRM platform dashboard</h1>
        <label for="t">Browser token (printed by the AppHost at start)</label>
        <input id="t" name="t" type="password" autocomplete="off" autofocus>
        {{(wrongToken ? "<p class=\"error\" role=\"alert\">That token is not valid.</p>" : "")}}
        <button type="submit">Log in</button></form></body></html>
        """;

    public sealed class BrowserToken(string value)
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(value);

        public string Value { get; } = value;

        public bool Matches(string candidate) => CryptographicOperations.FixedTimeEquals(_bytes, Encoding.UTF8.GetBytes(candidate));
    }

    private sealed class TokenHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, BrowserToken token)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            return Task.FromResult(header.StartsWith("Bearer ", StringComparison.Ordinal) && token.Matches(header["Bearer ".Length..])
                ? AuthenticateResult.Success(new AuthenticationTicket(Principal(TokenScheme), TokenScheme))
                : AuthenticateResult.Fail("Wrong dashboard token."));
        }
    }
}
