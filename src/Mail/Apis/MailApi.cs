using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Mail.Apis;

/// <summary>A received message in a list: envelope, headers and size.</summary>
public sealed record MailSummary(
    Guid Id, DateTimeOffset ReceivedAt, string EnvelopeFrom, IReadOnlyList<string> EnvelopeTo, string? From, IReadOnlyList<string> To,
    string? Subject, string? MessageId, int Size)
{
    public static MailSummary Of(ReceivedMail mail) => new(
        mail.Id, mail.ReceivedAt, mail.MailFrom, mail.Recipients, mail.From, mail.To, mail.Subject, mail.MessageId, mail.Raw.Length);
}

/// <summary>A received message with its text and HTML bodies, as MimeKit reads them.</summary>
public sealed record MailDetail(MailSummary Summary, string? Text, string? Html, IReadOnlyList<MailHeader> Headers)
{
    public static MailDetail Of(ReceivedMail mail)
    {
        var message = mail.Message;
        return new(MailSummary.Of(mail), message.TextBody, message.HtmlBody, [.. message.Headers.Select(h => new MailHeader(h.Field, h.Value))]);
    }
}

public sealed record MailHeader(string Name, string Value);

/// <summary>What the sink received, for scripts and tests: newest first, each message in full, and a way to empty it.</summary>
public static class MailApi
{
    public static IEndpointRouteBuilder MapMailApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/mail");
        api.MapGet("/", ListMail);
        api.MapGet("/{id:guid}", GetMail);
        api.MapGet("/{id:guid}/raw", GetRawMail);
        api.MapDelete("/", DeleteAllMail);
        return app;
    }

    /// <param name="limit">At most this many, newest first: 100 unless asked, 1,000 at most.</param>
    public static Ok<MailSummary[]> ListMail(MailStore store, int? limit) =>
        TypedResults.Ok(store.Messages.Take(Math.Clamp(limit ?? 100, 1, 1000)).Select(MailSummary.Of).ToArray());

    public static Results<Ok<MailDetail>, ProblemHttpResult> GetMail(MailStore store, Guid id) =>
        store.Find(id) is { } mail ? TypedResults.Ok(MailDetail.Of(mail)) : NotFound(id);

    /// <summary>The message as it arrived, to open in a mail program or feed to a parser.</summary>
    public static Results<FileContentHttpResult, ProblemHttpResult> GetRawMail(MailStore store, Guid id) =>
        store.Find(id) is { } mail ? TypedResults.File(mail.Raw, "message/rfc822", $"{id:N}.eml") : NotFound(id);

    public static NoContent DeleteAllMail(MailStore store)
    {
        store.Clear();
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem($"No message with id '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
