using System.Text.Encodings.Web;
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

    private static ContentHttpResult Page(HttpContext context, int status, string title, string body)
    {
        context.Response.Headers.CacheControl = "no-store";
        // No frames (clickjacking the form), no scripts, only the inline style below.
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
        context.Response.Headers.XFrameOptions = "DENY";
        return TypedResults.Content($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>{{Encode(title)}} · CRM</title>
              <style>
                body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }
                main { max-width: 22rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; }
                h1 { font-size: 1.3rem; margin-top: 0; }
                label { display: block; margin-top: 1rem; font-size: .9rem; }
                input { width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem; font-size: 1rem; }
                button { margin-top: 1.5rem; width: 100%; padding: .6rem; font-size: 1rem; background: #2456c8; color: #fff; border: 0; border-radius: 4px; }
                .error { color: #a4001d; background: #fdecee; padding: .5rem; border-radius: 4px; }
                .hint { color: #666; }
              </style>
            </head>
            <body><main>
            {{body}}
            </main></body>
            </html>
            """, "text/html; charset=utf-8", statusCode: status);
    }

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
