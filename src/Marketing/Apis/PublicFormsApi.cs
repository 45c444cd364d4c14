using System.Text.Json;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Marketing.Forms;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Marketing.Apis;

/// <summary>A form's token for pages that build the form themselves (the snippet has one inside).</summary>
public sealed record PublicFormToken(string Token, int MinimumFillSeconds, DateTimeOffset ExpiresAt);

/// <summary>What the visitor's page shows once a submission is taken: the form's message, or where to go.</summary>
public sealed record FormSubmissionReceipt(string Status, string Message, string? RedirectUrl);

/// <summary>
/// The public side of web forms, anonymous, on the visitor's page: <c>GET …/snippet</c> (the HTML to embed, with a fresh
/// token), <c>GET …/token</c> and <c>POST …/submissions</c> (form-encoded or JSON: the field keys, the consent boxes'
/// <c>consent:{purpose}:{channel}</c>, <c>formToken</c>, and the honeypot <c>website</c>). The form decides the tenant;
/// an unknown or archived form is a 404. Bots are kept out as at Service's help centre: a filled honeypot is answered
/// as received and dropped; a token sent too soon, expired, forged or another form's is a 422; a client sending too
/// often, or a form flooded from many addresses, a 429. The submission and its <c>FormSubmitted</c> commit together.
/// </summary>
public static class PublicFormsApi
{
    public const string Honeypot = "website";
    public const string TokenField = "formToken";

    public static RouteGroupBuilder MapPublicFormsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(PublicPaths.Prefix + "/{id:guid}").WithTags("Web forms (public)").AllowAnonymous()
            .RequireCors(FormCorsPolicyProvider.PolicyName);
        api.MapGet("/snippet", GetSnippet).Produces<string>(StatusCodes.Status200OK, "text/html").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/token", IssueToken).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/submissions", Submit).RequireRateLimiting(WebFormProtection.ClientRateLimit).DisableAntiforgery()
            .Accepts<Dictionary<string, string>>("application/json", "application/x-www-form-urlencoded")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return api;
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetSnippet(
        Guid id, MarketingDbContext db, FormTokens tokens, HttpContext http, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, cancellationToken) is not { } form)
        {
            return Unknown(id);
        }
        // The token inside ages from now: the page fetches the snippet when it shows the form, never from a cache.
        http.Response.Headers.CacheControl = "no-store";
        var submitUrl = $"{http.Request.Scheme}://{http.Request.Host}{PublicPaths.Submit(id)}";
        return TypedResults.Content(FormSnippet.Render(form, submitUrl, tokens.Issue(id)), "text/html; charset=utf-8");
    }

    public static async Task<Results<Ok<PublicFormToken>, ProblemHttpResult>> IssueToken(
        Guid id, MarketingDbContext db, FormTokens tokens, IOptions<WebFormOptions> options, TimeProvider clock, HttpResponse response,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, cancellationToken) is null)
        {
            return Unknown(id);
        }
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new PublicFormToken(tokens.Issue(id), options.Value.MinimumFillSeconds,
            clock.GetUtcNow().AddMinutes(options.Value.TokenLifetimeMinutes)));
    }

    public static async Task<Results<Accepted<FormSubmissionReceipt>, ProblemHttpResult>> Submit(
        Guid id, MarketingDbContext db, TenantContext tenant, FormTokens tokens, WebFormTenantLimiter formLimiter, HttpContext http,
        TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, id, cancellationToken) is not { } form)
        {
            return Unknown(id);
        }
        if (await ReadAsync(http.Request, cancellationToken) is not { } values)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the form as application/x-www-form-urlencoded, multipart/form-data or a JSON object of strings.");
        }
        var errors = Check(form, values);
        if (!errors.IsValid)
        {
            return ApiProblems.Unprocessable($"Some of the form's fields are missing or not valid: {string.Join(", ", errors.Keys)}.", errors);
        }
        if (WebFormProtection.TokenProblem(tokens.Check(id, values.GetValueOrDefault(TokenField))) is { } refused)
        {
            return refused;
        }
        // Counts only what would be stored: junk refused above must not lock the form's real visitors out.
        using var lease = formLimiter.Acquire(id);
        if (!lease.IsAcquired)
        {
            return WebFormTenantLimiter.TooMany(http, lease, "This form has received too many submissions; try again later.");
        }
        var receipt = TypedResults.Accepted((string?)null, new FormSubmissionReceipt("received", form.SuccessMessage, form.RedirectUrl));
        if (!string.IsNullOrEmpty(values.GetValueOrDefault(Honeypot)))
        {
            loggers.CreateLogger(typeof(PublicFormsApi)).LogInformation("Dropped a submission of form {FormId}: honeypot filled", id);
            return receipt;
        }

        (tenant.TenantId, tenant.ActorId, tenant.SeesWholeTenant) = (form.TenantId, null, true);
        var submission = new FormSubmissionRecord
        {
            FormId = form.Id,
            Values = [.. form.Fields.Where(f => !string.IsNullOrWhiteSpace(values.GetValueOrDefault(f.Key)))
                .Select(f => new SubmittedValue(f.Key, f.MapsTo, values[f.Key]!.Trim()))],
            Consents = [.. form.Consents.Where(c => IsTicked(values.GetValueOrDefault(c.Key))).Select(c => new GivenConsent(c.Purpose, c.Channel, c.Text))],
            IpAddress = http.Connection.RemoteIpAddress?.ToString(),
            UserAgent = Clip(http.Request.Headers.UserAgent.ToString(), 500),
            PageUrl = Clip(PageOf(http.Request), WebForm.UrlMaxLength),
        };
        submission.Email = submission.Values.FirstOrDefault(v => v.MapsTo == FormFieldTargets.Email)?.Value.ToLowerInvariant();
        db.FormSubmissions.Add(submission);
        db.Stamp();
        db.AddEvent(Submitted(form, submission, clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(cancellationToken);
        return receipt;
    }

    private static FormSubmitted Submitted(WebForm form, FormSubmissionRecord submission, DateTime now)
    {
        string? Value(string target) => submission.Values.FirstOrDefault(v => v.MapsTo == target)?.Value;
        return new FormSubmitted(Guid.CreateVersion7(), now, form.TenantId, submission.Id, 1, form.Id, form.CampaignId,
            new FormSubmission(Value(FormFieldTargets.FirstName), Value(FormFieldTargets.LastName), Value(FormFieldTargets.Email),
                Value(FormFieldTargets.Phone), Value(FormFieldTargets.Company), Value(FormFieldTargets.Country), Value(FormFieldTargets.JobTitle),
                Value(FormFieldTargets.ProductInterest), Value(FormFieldTargets.Message), submission.Consents.Count > 0),
            form.CreateLead,
            [.. submission.Consents.Select(c => new FormConsentGiven(c.Purpose, c.Channel, c.Text))],
            form.DoubleOptIn, submission.IpAddress, submission.UserAgent, submission.PageUrl);
    }

    /// <summary>Required fields and boxes, lengths, and the email field's address; every problem named by the field's key.</summary>
    private static FieldErrors Check(WebForm form, IReadOnlyDictionary<string, string?> values)
    {
        var errors = new FieldErrors();
        foreach (var field in form.Fields)
        {
            var value = values.GetValueOrDefault(field.Key);
            if (field.Required)
            {
                errors.Required(field.Key, value, FormFieldTargets.MaxLength(field.MapsTo));
            }
            else
            {
                errors.MaxLength(field.Key, value, FormFieldTargets.MaxLength(field.MapsTo));
            }
            if (field.MapsTo == FormFieldTargets.Email || field.Type == "email")
            {
                errors.Email(field.Key, value);
            }
        }
        foreach (var consent in form.Consents.Where(c => c.Required && !IsTicked(values.GetValueOrDefault(c.Key))))
        {
            errors.Add(consent.Key, "This box must be ticked to send the form.");
        }
        return errors;
    }

    /// <summary>Form fields or a flat JSON object (strings, booleans, numbers); null for anything else.</summary>
    private static async Task<Dictionary<string, string?>?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            return form.ToDictionary(pair => pair.Key, pair => (string?)pair.Value.ToString(), StringComparer.Ordinal);
        }
        if (request.HasJsonContentType())
        {
            try
            {
                using var json = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
                if (json.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }
                var values = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var property in json.RootElement.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.True => "yes",
                        JsonValueKind.False or JsonValueKind.Null => null,
                        JsonValueKind.Number => property.Value.GetRawText(),
                        _ => null,
                    };
                }
                return values;
            }
            catch (JsonException)
            {
                return null;
            }
        }
        return null;
    }

    private static bool IsTicked(string? value) => value is not null && value.Trim().ToLowerInvariant() is "yes" or "on" or "true" or "1";

    /// <summary>The page the form was on, as the browser tells (Referer, else Origin); evidence, never trusted for anything else.</summary>
    private static string? PageOf(HttpRequest request)
    {
        var candidate = request.Headers.Referer.ToString() is { Length: > 0 } referer ? referer : request.Headers.Origin.ToString();
        return Uri.TryCreate(candidate, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.ToString() : null;
    }

    private static string? Clip(string? value, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Length > maxLength ? value[..maxLength] : value;

    /// <summary>The form by id, whichever tenant it belongs to (the visitor has no tenant); null when unknown or archived.</summary>
    private static Task<WebForm?> FindAsync(MarketingDbContext db, Guid id, CancellationToken cancellationToken) =>
        db.WebForms.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(f => f.Id == id && f.ArchivedAt == null, cancellationToken);

    private static ProblemHttpResult Unknown(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No form '{id}' takes submissions.");
}
