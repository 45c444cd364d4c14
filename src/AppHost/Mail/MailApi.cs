using CrmPlatform.AppHost.Model;
using MimeKit;

namespace CrmPlatform.AppHost.Mail;

/// <summary>A received message in a list: envelope, headers and size.</summary>
public sealed record MailSummary(
    Guid Id, DateTimeOffset ReceivedAt, string EnvelopeFrom, IReadOnlyList<string> EnvelopeTo, string? From, IReadOnlyList<string> To,
    string? Subject, string? MessageId, int Size)
{
    public static MailSummary Of(ReceivedMail mail) => new(
        mail.Id, mail.ReceivedAt, mail.MailFrom, mail.Recipients, mail.Message.From.ToString(),
        [.. mail.Message.To.Mailboxes.Select(m => m.Address)], mail.Message.Subject, mail.Message.MessageId, mail.Raw.Length);
}

/// <summary>A received message with its text and HTML bodies, as MimeKit reads them.</summary>
public sealed record MailDetail(MailSummary Summary, string? Text, string? Html, IReadOnlyList<MailHeader> Headers)
{
    public static MailDetail From(ReceivedMail mail) => new(
        MailSummary.Of(mail), mail.Message.TextBody, mail.Message.HtmlBody, [.. mail.Message.Headers.Select(h => new MailHeader(h.Field, h.Value))]);
}

public sealed record MailHeader(string Name, string Value);

/// <summary>
/// <c>/api/mail</c> (dashboard token or cookie): what the <c>mail</c> resource received, newest first;
/// <c>/api/mail/{id}</c> with bodies, <c>/api/mail/{id}/raw</c> as <c>message/rfc822</c>; <c>DELETE /api/mail</c> empties it.
/// </summary>
public static class MailApi
{
    public static void MapMailApi(this RouteGroupBuilder api)
    {
        var mail = api.MapGroup("/mail");
        mail.MapGet("/", (PlatformModel model, int? limit) =>
            TypedResults.Ok(Messages(model).Take(Math.Clamp(limit ?? 100, 1, 1000)).Select(MailSummary.Of)));
        mail.MapGet("/{id:guid}", IResult (PlatformModel model, Guid id) =>
            Find(model, id) is { } found ? TypedResults.Ok(MailDetail.From(found)) : NotFound(id));
        mail.MapGet("/{id:guid}/raw", IResult (PlatformModel model, Guid id) =>
            Find(model, id) is { } found ? TypedResults.Bytes(found.Raw, "message/rfc822", $"{id:N}.eml") : NotFound(id));
        mail.MapDelete("/", (PlatformModel model) =>
        {
            foreach (var resource in model.Resources.OfType<MailResource>())
            {
                resource.Store.Clear();
            }
            return TypedResults.NoContent();
        }).DisableAntiforgery();
    }

    private static IEnumerable<ReceivedMail> Messages(PlatformModel model) =>
        model.Resources.OfType<MailResource>().SelectMany(r => r.Store.Messages).OrderByDescending(m => m.ReceivedAt);

    private static ReceivedMail? Find(PlatformModel model, Guid id) =>
        model.Resources.OfType<MailResource>().Select(r => r.Store.Find(id)).FirstOrDefault(m => m is not null);

    private static IResult NotFound(Guid id) =>
        TypedResults.Problem($"No message with id '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
