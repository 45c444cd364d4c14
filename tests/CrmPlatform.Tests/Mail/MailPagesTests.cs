using System.Net;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Playwright;
using MimeKit;
using static Microsoft.Playwright.Assertions;

namespace CrmPlatform.Tests.Mail;

/// <summary>The pages a developer reads mail on, in a real browser (Debian's chromium) and as the HTML they are.</summary>
public sealed class MailPagesTests : IAsyncLifetime
{
    private const string Link = "https://crm.example.test/api/v1/consents/confirm?token=abc_DEF-123";
    private MailSink _sink = null!;

    public async Task InitializeAsync()
    {
        _sink = MailSink.Start();
        var message = new MimeMessage { Subject = "Please confirm <now>" };
        message.From.Add(MailboxAddress.Parse("CRM <no-reply@example.test>"));
        message.To.Add(MailboxAddress.Parse("ada@example.test"));
        message.Body = new BodyBuilder
        {
            TextBody = $"Hello Ada,\n\nplease confirm: {Link}.\n<script>alert('mail')</script>",
            HtmlBody = "<p>Hello Ada</p>",
        }.ToMessageBody();
        await _sink.SendAsync(message);
    }

    public async Task DisposeAsync() => await _sink.DisposeAsync();

    [Fact]
    public async Task The_list_links_to_the_message_whose_text_shows_the_link_clickable()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();

        await page.GotoAsync(_sink.Address);
        await Expect(page).ToHaveTitleAsync("Mail · CRM");
        var list = page.GetByTestId("mail-list");
        await Expect(list).ToContainTextAsync("ada@example.test");
        await Expect(list).ToContainTextAsync("Please confirm <now>");

        await list.GetByText("Please confirm <now>").ClickAsync();
        await Expect(page).ToHaveURLAsync($"{_sink.Address}/messages/{_sink.Store.Messages.Single().Id}");
        var text = page.GetByTestId("mail-text");
        await Expect(text).ToContainTextAsync("<script>alert('mail')</script>");
        await Expect(text.GetByRole(AriaRole.Link, new() { Name = Link })).ToHaveAttributeAsync("href", Link);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download .eml" })).ToBeVisibleAsync();
        var artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "mail-message.png"), FullPage = true });
    }

    [Fact]
    public async Task The_pages_escape_what_the_mail_says_and_an_unknown_message_is_a_404_page()
    {
        var id = _sink.Store.Messages.Single().Id;
        var list = await _sink.Http.GetStringAsync("/");
        Assert.Contains($"<a href=\"/messages/{id}\">Please confirm &lt;now&gt;</a>", list);

        using var response = await _sink.Http.GetAsync($"/messages/{id}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"<a href=\"{Link}\" rel=\"noopener noreferrer\">{Link}</a>.", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.DoesNotContain("<script", html);
        Assert.Contains($"href=\"/api/mail/{id}/raw\"", html);

        var missing = await _sink.Http.GetAsync($"/messages/{Guid.CreateVersion7()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("text/html", missing.Content.Headers.ContentType?.MediaType);
    }
}
