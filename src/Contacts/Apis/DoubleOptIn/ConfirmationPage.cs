using System.Text.Encodings.Web;
using CrmPlatform.Contacts.DoubleOptIn;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Contacts.Apis.DoubleOptIn;

/// <summary>The tiny pages a person sees from the confirmation link: plain HTML, no scripts, not framable, not cached.</summary>
internal static class ConfirmationPage
{
    public static ContentHttpResult Ask(HttpContext context, string token, DoubleOptInRequest request) =>
        Page(context, StatusCodes.Status200OK, "Please confirm", $"""
            <h1>Please confirm</h1>
            <p>May we contact you about <strong>{Encode(request.Purpose)}</strong> by <strong>{Encode(request.Channel)}</strong>?</p>
            <form method="post" action="{Encode($"{context.Request.PathBase}{ConfirmationApi.Path}/page")}">
              <input type="hidden" name="token" value="{Encode(token)}">
              <button type="submit">Yes, confirm</button>
            </form>
            """);

    public static ContentHttpResult Confirmed(HttpContext context, DoubleOptInRequest request) =>
        Page(context, StatusCodes.Status200OK, "Confirmed",
            $"<h1>Thank you</h1><p>Your consent to <strong>{Encode(request.Purpose)}</strong> by <strong>{Encode(request.Channel)}</strong> is confirmed.</p>");

    public static ContentHttpResult Ended(HttpContext context, ConfirmationOutcome outcome) =>
        Page(context, ConfirmationApi.StatusOf(outcome), "Confirmation", $"<h1>Confirmation</h1><p class=\"error\">{Encode(ConfirmationApi.Explain(outcome))}</p>");

    private static ContentHttpResult Page(HttpContext context, int status, string title, string body)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        context.Response.Headers.XFrameOptions = "DENY";
        // The token is in this page's address: it must not travel on in a Referer.
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>{{Encode(title)}}</title>
              <style>
                body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }
                main { max-width: 26rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; }
                h1 { font-size: 1.3rem; margin-top: 0; }
                button { margin-top: 1rem; width: 100%; padding: .6rem; font-size: 1rem; background: #2456c8; color: #fff; border: 0; border-radius: 4px; }
                .error { color: #a4001d; }
              </style>
            </head>
            <body><main>
            {{body}}
            </main></body>
            </html>
            """, "text/html; charset=utf-8", null, status);
    }

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
