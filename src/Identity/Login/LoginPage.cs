using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Identity.Login;

/// <summary>The sign-in form as plain HTML: no scripts, so a strict content security policy costs nothing.</summary>
internal static class LoginPage
{
    public static ContentHttpResult Form(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? email, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var alert = error is null ? "" : $"""<p class="error" role="alert">{Encode(error)}</p>""";
        return Page(context, status, "Sign in", $"""
            <h1>Sign in to the CRM</h1>
            {alert}
            <form method="post" action="{Encode($"{context.Request.PathBase}/login")}">
              <input type="hidden" name="{Encode(tokens.FormFieldName)}" value="{Encode(tokens.RequestToken ?? "")}">
              <input type="hidden" name="returnUrl" value="{Encode(returnUrl ?? "")}">
              <label for="email">Email</label>
              <input id="email" name="email" type="email" autocomplete="username" required value="{Encode(email ?? "")}">
              <label for="password">Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required>
              <label for="code">One-time code <span class="hint">(if two-factor sign-in is on)</span></label>
              <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{Totp.Digits}" maxlength="{Totp.Digits}">
              <button type="submit">Sign in</button>
            </form>
            """);
    }

    public static ContentHttpResult SignedIn(HttpContext context, string displayName) =>
        Page(context, StatusCodes.Status200OK, "Signed in", $"<h1>Signed in</h1><p>You are signed in as {Encode(displayName)}.</p>");

    private static ContentHttpResult Page(HttpContext context, int status, string title, string body) =>
        HtmlPage.Render(context, status, title, body);

    private static string Encode(string value) => HtmlPage.Encode(value);
}
