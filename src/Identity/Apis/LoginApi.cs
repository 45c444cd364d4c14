using System.Security.Claims;
using CrmPlatform.Identity.Login;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Identity.Apis;

public sealed record LoginForm(string? Email, string? Password, string? Code, string? ReturnUrl);

/// <summary>
/// The minimal login page of the authorization code flow. A successful login starts a session (a cookie only this
/// service reads) and returns to the authorization request that sent the browser here.
/// </summary>
public static class LoginApi
{
    public const string CookieScheme = "identity-session";
    public const string RateLimitPolicy = "login";
    public const string InvalidCredentials = "Invalid email, password or one-time code.";

    public static IEndpointRouteBuilder MapLoginApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", ShowLogin).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(RateLimitPolicy).ExcludeFromDescription();
        return app;
    }

    public static IResult ShowLogin(HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
        LoginPage.Form(context, antiforgery, returnUrl, email: null, error: null, StatusCodes.Status200OK);

    public static async Task<IResult> Login(
        [FromForm] LoginForm form, HttpContext context, IAntiforgery antiforgery, PasswordLogin passwords,
        IOptions<AuthenticationSettings> authentication, CancellationToken cancellationToken)
    {
        var user = await passwords.VerifyAsync(form.Email, form.Password, form.Code, cancellationToken);
        if (user is null)
        {
            return LoginPage.Form(context, antiforgery, form.ReturnUrl, form.Email, InvalidCredentials, StatusCodes.Status400BadRequest);
        }

        var identity = new ClaimsIdentity(
            [new Claim("sub", user.Id.ToString()), new Claim(authentication.Value.TenantClaim, user.TenantId.ToString())],
            CookieScheme, "sub", authentication.Value.RoleClaim);
        await context.SignInAsync(CookieScheme, new ClaimsPrincipal(identity));

        return IsLocal(form.ReturnUrl) ? TypedResults.LocalRedirect(form.ReturnUrl!) : LoginPage.SignedIn(context, user.DisplayName);
    }

    /// <summary>Only paths on this site: anything else would make the login form an open redirect.</summary>
    private static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
