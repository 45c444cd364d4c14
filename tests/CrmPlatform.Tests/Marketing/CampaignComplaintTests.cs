using System.Net;
using CrmPlatform.Mail;
using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace CrmPlatform.Tests.Marketing;

/// <summary>
/// Spam complaints: abuse reports in the Abuse Reporting Format (RFC 5965), as a mailbox provider's feedback loop sends
/// them, over real SMTP to Marketing's bounce listener, on the same platform as the DSN tests. Outcomes are read from
/// the API (statistics, suppressions, Contacts' consent history) and the sink (what was sent).
/// </summary>
public sealed partial class CampaignDsnBounceTests
{
    private const string Redacted = "redacted@example.com";

    /// <summary>
    /// An ARF report about <paramref name="original"/>: the human-readable part, the machine-readable fields and the
    /// original's headers (text/rfc822-headers) with the recipient's address redacted, as providers do (RFC 6590). The
    /// reported envelope sender (<c>Original-Mail-From</c>) and the <c>Return-Path</c> the receiving system added are
    /// given only when named.
    /// </summary>
    private static MimeMessage Arf(ReceivedMail original, string feedbackType = "abuse", string? originalMailFrom = null, string? returnPath = null)
    {
        var report = new MultipartReport("feedback-report")
        {
            new TextPart("plain") { Text = "This is an email abuse report for an email message received from IP 192.0.2.1." },
        };
        var feedback = new MessageFeedbackReport();
        feedback.Fields.Add("Feedback-Type", feedbackType);
        feedback.Fields.Add("User-Agent", "ExampleFBL/1.0");
        feedback.Fields.Add("Version", "1");
        if (originalMailFrom is not null)
        {
            feedback.Fields.Add("Original-Mail-From", $"<{originalMailFrom}>");
        }
        feedback.Fields.Add("Original-Rcpt-To", $"<{Redacted}>");
        feedback.Fields.Add("Arrival-Date", DateTimeOffset.UtcNow.ToString("r"));
        feedback.Fields.Add("Source-IP", "192.0.2.1");
        report.Add(feedback);
        var headers = new MimeMessage();
        headers.Headers.Clear();
        if (returnPath is not null)
        {
            headers.Headers.Add(HeaderId.ReturnPath, $"<{returnPath}>");
        }
        foreach (var header in original.Message.Headers)
        {
            // Copies: a header object shared with the sink's message would change it too.
            headers.Headers.Add(header.Id == HeaderId.To ? new Header(HeaderId.To, Redacted) : header.Clone());
        }
        report.Add(new TextRfc822Headers { Message = headers });
        var arf = new MimeMessage { Subject = "Abuse report", Body = report };
        arf.From.Add(new MailboxAddress("Feedback Loop", "fbl@isp.example.net"));
        arf.To.Add(new MailboxAddress("", $"bounces@{BounceDomain}"));
        return arf;
    }

    [Fact]
    public async Task A_spam_complaint_suppresses_the_address_withdraws_the_consent_counts_once_and_a_later_campaign_skips_them()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var marketing = Platform.ClientFor(Platform.Marketing, token);
        var contacts = Platform.ClientFor(Platform.Contacts, token);
        // The complainer is a person in Contacts with a granted consent, so the withdrawal can land in their history.
        var email = $"complainer.{Guid.NewGuid():N}@example.com";
        var personId = (await contacts.PostJsonAsync("/api/v1/people", new { firstName = "Carl", lastName = "Complainer", email }).CreatedAsync()).Id();
        Assert.Equal(HttpStatusCode.Created, (await contacts.PostJsonAsync($"/api/v1/people/{personId}/consents",
            new { purpose = "newsletter", channel = "email", status = "granted", source = "api" })).Status);
        await Eventually.TrueAsync(() => PlatformServices.QueryAsync(Platform.Marketing, async db =>
                await db.ConsentReplicas.IgnoreQueryFilters().AnyAsync(c => c.PersonId == personId && c.Status == "granted")
                && await db.DirectoryContacts.IgnoreQueryFilters().AnyAsync(c => c.Id == personId)
                && await db.RecipientProfiles.IgnoreQueryFilters().AnyAsync(p => p.Id == personId && p.FirstName == "Carl")),
            "Marketing has the person and their consent");
        Person complainer = new("complainer", personId, email), reader = new("reader");
        await SeedAsync(tenantId, reader);

        var first = await SendAsync(marketing, complainer, reader);
        var original = Assert.Single(MailsTo(complainer));
        Assert.Equal(0, (await StatisticsAsync(marketing, first)).GetProperty("complaints").GetInt32());

        // The feedback loop writes to the plain bounce address; the token is in the reported envelope sender.
        var arf = Arf(original, originalMailFrom: original.MailFrom);
        await SendToBounceListenerAsync(arf, $"bounces@{BounceDomain}");

        var stats = await StatisticsAsync(marketing, first);
        Assert.Equal(1, stats.GetProperty("complaints").GetInt32());
        Assert.Equal(0, stats.GetProperty("unsubscribes").GetInt32());
        Assert.Equal(2, stats.GetProperty("delivered").GetInt32());
        var suppression = Assert.Single((await marketing.GetJsonAsync("/api/v1/suppressions")).Items());
        Assert.Equal((email, "complaint", first.ToString()), (suppression.Str("email"), suppression.Str("reason"), suppression.Str("campaignId")));
        Assert.Contains("ExampleFBL/1.0", suppression.Str("note"));
        var withdrawal = await Eventually.ReturnsAsync(
            async () => (await contacts.GetJsonAsync($"/api/v1/people/{personId}/consents/history")).Items()
                .FirstOrDefault(r => r.Str("status") == "withdrawn"),
            r => r.ValueKind != System.Text.Json.JsonValueKind.Undefined, "Contacts recorded the withdrawal");
        Assert.Equal(("newsletter", "email", "spam-complaint"), (withdrawal.Str("purpose"), withdrawal.Str("channel"), withdrawal.Str("source")));
        Assert.Contains($"Spam complaint about campaign 'News' ({first})", withdrawal.Str("reason"));
        Assert.Equal(("spam-complaint", "ExampleFBL/1.0"), (withdrawal.Str("recordedBy"), withdrawal.GetProperty("evidence").GetProperty("userAgent").GetString()!));

        // The provider sends the same report again: nothing more is counted, suppressed or withdrawn.
        await SendToBounceListenerAsync(arf, $"bounces@{BounceDomain}");
        Assert.Equal(1, (await StatisticsAsync(marketing, first)).GetProperty("complaints").GetInt32());
        Assert.Single((await marketing.GetJsonAsync("/api/v1/suppressions")).Items());

        // A later campaign skips the complainer as suppressed and reaches the reader.
        var second = await SendAsync(marketing, complainer, reader);
        var later = await StatisticsAsync(marketing, second);
        Assert.Equal((1, 1), (later.GetProperty("sent").GetInt32(), later.GetProperty("skipped").GetInt32()));
        Assert.Equal(1, later.GetProperty("skippedByReason").GetProperty(SkipReasons.Suppressed).GetInt32());
        Assert.Single(MailsTo(complainer));
        Assert.Equal(2, MailsTo(reader).Length);
        // The second report published nothing: still one withdrawal.
        Assert.Single((await contacts.GetJsonAsync($"/api/v1/people/{personId}/consents/history")).Items(), r => r.Str("status") == "withdrawn");
    }

    [Fact]
    public async Task A_report_that_is_no_complaint_or_names_no_message_of_ours_changes_nothing_and_our_message_id_alone_is_enough()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var marketing = Platform.ClientFor(Platform.Marketing, token);
        Person person = new("person");
        await SeedAsync(tenantId, person);
        var campaignId = await SendAsync(marketing, person);
        var original = Assert.Single(MailsTo(person));
        var hex = original.MailFrom["bounces+".Length..original.MailFrom.IndexOf('@')];
        var forged = $"bounces+{(hex[0] == 'a' ? 'b' : 'a') + hex[1..]}@{BounceDomain}";

        // "This is not spam", with a genuine token: no complaint.
        await SendToBounceListenerAsync(Arf(original, "not-spam", originalMailFrom: original.MailFrom), $"bounces@{BounceDomain}");
        // A filter's finding, not the person's: no complaint.
        await SendToBounceListenerAsync(Arf(original, "virus", originalMailFrom: original.MailFrom), $"bounces@{BounceDomain}");
        // A token we did not sign decides, wherever it is, even though the report also returns our genuine Message-ID.
        await SendToBounceListenerAsync(Arf(original, originalMailFrom: forged), $"bounces@{BounceDomain}");
        await SendToBounceListenerAsync(Arf(original, returnPath: forged), $"bounces@{BounceDomain}");
        await SendToBounceListenerAsync(Arf(original), forged);
        // No token and a Message-ID that is not one we gave: someone else's, and one made up on our domain.
        static MimeMessage WithMessageId(MimeMessage arf, string messageId)
        {
            ((MultipartReport)arf.Body!).OfType<TextRfc822Headers>().Single().Message!.MessageId = messageId;
            return arf;
        }
        await SendToBounceListenerAsync(WithMessageId(Arf(original), "a1b2c3@mail.other.example"), $"bounces@{BounceDomain}");
        var ours = original.Message.MessageId!;
        await SendToBounceListenerAsync(WithMessageId(Arf(original), $"{Guid.NewGuid():N}{ours[ours.IndexOf('@')..]}"), $"bounces@{BounceDomain}");

        var stats = await StatisticsAsync(marketing, campaignId);
        Assert.Equal((0, 1), (stats.GetProperty("complaints").GetInt32(), stats.GetProperty("delivered").GetInt32()));
        Assert.Empty((await marketing.GetJsonAsync("/api/v1/suppressions")).Items());

        // The genuine report with neither token nor address (both redacted or dropped): our Message-ID names the recipient.
        await SendToBounceListenerAsync(Arf(original), $"bounces@{BounceDomain}");
        Assert.Equal(1, (await StatisticsAsync(marketing, campaignId)).GetProperty("complaints").GetInt32());
        Assert.Equal("complaint", Assert.Single((await marketing.GetJsonAsync("/api/v1/suppressions")).Items()).Str("reason"));
    }
}
