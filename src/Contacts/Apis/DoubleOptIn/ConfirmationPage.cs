using CrmPlatform.Contacts.DoubleOptIn;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Contacts.Apis.DoubleOptIn;

/// <summary>The tiny pages a person sees from the confirmation link.</summary>
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

    private static ContentHttpResult Page(HttpContext context, int status, string title, string body) =>
        HtmlPage.Render(context, status, title, body);

    private static string Encode(string value) => HtmlPage.Encode(value);
}
