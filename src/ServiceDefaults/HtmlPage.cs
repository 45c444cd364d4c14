using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// The platform's few pages for people (the sign-in form, the double opt-in confirmation): plain HTML in one look, no
/// scripts, so a strict content security policy costs nothing; never framed (clickjacking), cached, or named in a
/// Referer (their addresses may carry a return URL or a token).
/// </summary>
public static class HtmlPage
{
    /// <summary>A small centred card (forms, confirmations).</summary>
    public static ContentHttpResult Render(HttpContext context, int status, string title, string body) =>
        Render(context, status, title, $"<main>{body}</main>", CardStyle);

    /// <param name="style">The page's CSS, in place of the card's.</param>
    public static ContentHttpResult Render(HttpContext context, int status, string title, string body, string style)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
        context.Response.Headers.XFrameOptions = "DENY";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>{{Encode(title)}} · CRM</title>
              <style>{{style}}</style>
            </head>
            <body>
            {{body}}
            </body>
            </html>
            """, "text/html; charset=utf-8", statusCode: status);
    }

    public static string Encode(string value) => HtmlEncoder.Default.Encode(value);

    private const string CardStyle = """
        body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }
        main { max-width: 24rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; }
        h1 { font-size: 1.3rem; margin-top: 0; }
        label { display: block; margin-top: 1rem; font-size: .9rem; }
        input { width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem; font-size: 1rem; }
        button { margin-top: 1.5rem; width: 100%; padding: .6rem; font-size: 1rem; background: #2456c8; color: #fff; border: 0; border-radius: 4px; }
        .error { color: #a4001d; background: #fdecee; padding: .5rem; border-radius: 4px; }
        .hint { color: #666; }
        """;
}
