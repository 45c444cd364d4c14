using System.Net;
using System.Text.RegularExpressions;
using CrmPlatform.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

// The whole platform as ./run.sh starts it (the dashboard tests' fixture): Contacts sends to the AppHost's own mail resource.
namespace CrmPlatform.Tests.Dashboard;

public sealed partial class DashboardTests
{
    [Fact]
    public async Task A_double_opt_in_through_the_gateway_lands_in_the_mail_resource_whose_link_confirms_it_anonymously()
    {
        var gateway = await fixture.GatewayClientAsync();
        var email = $"{Guid.NewGuid():N}@example.com";
        var person = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email))).Body.Id();
        var requested = await gateway.PostJsonAsync($"/api/v1/people/{person}/consents/double-opt-in",
            new { purpose = "newsletter", channel = "email", source = "web-form", evidence = new { formId = "signup" } });
        Assert.Equal(HttpStatusCode.Accepted, requested.Status);

        // Developers read it at /api/mail (the dashboard's token) ...
        var listed = await Eventually.ReturnsAsync(() => fixture.Host.DashboardApi.GetJsonAsync("/api/mail"),
            answer => answer.Body.EnumerateArray().Any(m => m.GetProperty("envelopeTo")[0].GetString() == email), "the email reaches the mail resource");
        var summary = listed.Body.EnumerateArray().First(m => m.GetProperty("envelopeTo")[0].GetString() == email);
        Assert.Equal("Please confirm: our newsletter", summary.Str("subject"));
        var detail = await fixture.Host.DashboardApi.GetJsonAsync($"/api/mail/{summary.Str("id")}");
        using var raw = await fixture.Host.DashboardApi.GetAsync($"/api/mail/{summary.Str("id")}/raw");
        Assert.Equal("message/rfc822", raw.Content.Headers.ContentType?.MediaType);
        var eml = await MimeKit.MimeMessage.LoadAsync(await raw.Content.ReadAsStreamAsync());
        Assert.Equal((summary.Str("messageId"), "multipart/alternative"), (eml.MessageId, eml.Body!.ContentType.MimeType));
        var link = Regex.Match(detail.Body.Str("text"), @"http://localhost:\d+/api/v1/consents/confirm\?token=[A-Za-z0-9_-]+").Value;
        Assert.StartsWith($"http://localhost:{fixture.Host.Gateway.Port}/", link);
        using (var anonymous = new HttpClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri(fixture.Host.Dashboard, "/api/mail"))).StatusCode);
            // ... and the link works through the gateway without a token.
            var token = link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..];
            var confirmed = await anonymous.PostJsonAsync(new Uri(fixture.Host.Gateway, "/api/v1/consents/confirm").ToString(), new { token });
            Assert.Equal(HttpStatusCode.OK, confirmed.Status);
        }
        await Eventually.TrueAsync(async () =>
            (await gateway.GetJsonAsync($"/api/v1/marketing/contacts/{person}/can-contact?purpose=newsletter&channel=email")).Body.GetProperty("allowed").GetBoolean(),
            "Marketing may email the person once they confirmed");

        // ... and on the dashboard's Mail page.
        var page = await fixture.LoggedInPageAsync("/mail");
        await Expect(page.GetByTestId("mail-grid")).ToContainTextAsync(email);
        await page.GetByTestId("mail-grid").GetByText(email).ClickAsync();
        await Expect(page.GetByTestId("mail-text")).ToContainTextAsync("/api/v1/consents/confirm?token=");
        await DashboardFixture.ScreenshotAsync(page, "mail");
    }
}
