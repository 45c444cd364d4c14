using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Templating;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Apis;

/// <summary>One language's parts as written.</summary>
public sealed record TemplateVariantRequest(string? Language, string? Subject, string? Html, string? Text);

/// <summary>
/// An email template: Liquid (<c>{{ person.first_name | default: "there" }}</c>) in the subject, HTML and text parts;
/// the fields are <c>person.first_name</c>, <c>last_name</c>, <c>name</c>, <c>email</c>, <c>language</c>,
/// <c>campaign.name</c> and <c>unsubscribe.url</c>. <c>variants</c> are the parts in other languages.
/// </summary>
public sealed record EmailTemplateRequest(string? Name, string? Language, string? Subject, string? Html, string? Text, IReadOnlyList<TemplateVariantRequest>? Variants)
{
    /// <summary>Missing or too long fields (400).</summary>
    public FieldErrors Validate()
    {
        var errors = new FieldErrors()
            .Required("name", Name, EmailTemplate.NameMaxLength)
            .MaxLength("language", Language, 35);
        Parts(errors, "", Subject, Html, Text);
        var variants = Variants ?? [];
        for (var i = 0; i < variants.Count; i++)
        {
            errors.Required($"variants[{i}].language", variants[i].Language, 35);
            Parts(errors, $"variants[{i}].", variants[i].Subject, variants[i].Html, variants[i].Text);
        }
        var languages = variants.Select(v => v.Language?.Trim().ToLowerInvariant()).Append((Language ?? "en").Trim().ToLowerInvariant()).ToList();
        errors.When(languages.Count != languages.Distinct().Count(), "variants", "Each language has one variant (the default's language included).");
        return errors;
    }

    private static void Parts(FieldErrors errors, string prefix, string? subject, string? html, string? text) => errors
        .Required($"{prefix}subject", subject, EmailTemplate.SubjectMaxLength)
        .Required($"{prefix}html", html, EmailTemplate.BodyMaxLength)
        .Required($"{prefix}text", text, EmailTemplate.BodyMaxLength);

    /// <summary>Liquid that does not parse (422), each part named with its line and column.</summary>
    public Dictionary<string, string[]> SyntaxErrors()
    {
        var errors = new Dictionary<string, string[]>();
        void Check(string field, string? source)
        {
            if (TemplateRenderer.Check(source ?? "") is { } error)
            {
                errors[field] = [$"The Liquid does not parse: {error}."];
            }
        }
        Check("subject", Subject);
        Check("html", Html);
        Check("text", Text);
        var variants = Variants ?? [];
        for (var i = 0; i < variants.Count; i++)
        {
            Check($"variants[{i}].subject", variants[i].Subject);
            Check($"variants[{i}].html", variants[i].Html);
            Check($"variants[{i}].text", variants[i].Text);
        }
        return errors;
    }
}

public sealed record EmailTemplateResponse(
    Guid Id, string Name, string Language, string Subject, string Html, string Text, IReadOnlyList<TemplateVariant> Variants,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static EmailTemplateResponse From(EmailTemplate t) =>
        new(t.Id, t.Name, t.Language, t.Subject, t.Html, t.Text, t.Variants, t.CreatedAt, t.CreatedBy, t.UpdatedAt, t.UpdatedBy, t.Version);
}

/// <summary>Whom to preview the template for: a person Marketing knows (their name and language), or nobody (the fallbacks).</summary>
public sealed record TemplatePreviewRequest(Guid? PersonId);

/// <summary>The template as the person would get it, and in which language.</summary>
public sealed record TemplatePreviewResponse(string Language, string Subject, string Html, string Text);

public static class TemplatesApi
{
    private const string Resource = "email template";

    public static RouteGroupBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/email-templates").WithTags("Email templates");
        api.MapGet("/", ListEmailTemplates).RequirePermission(Permissions.EmailTemplates, Operation.Read);
        api.MapGet("/{id:guid}", GetEmailTemplate).RequirePermission(Permissions.EmailTemplates, Operation.Read);
        api.MapPost("/", CreateEmailTemplate).RequirePermission(Permissions.EmailTemplates, Operation.Create);
        api.MapPut("/{id:guid}", UpdateEmailTemplate).RequirePermission(Permissions.EmailTemplates, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteEmailTemplate).RequirePermission(Permissions.EmailTemplates, Operation.Delete);
        // Rendering for a preview changes nothing: reading, as far as permissions go.
        api.MapPost("/{id:guid}/preview", PreviewEmailTemplate).RequirePermission(Permissions.EmailTemplates, Operation.Read);
        return api;
    }

    public static async Task<Results<Ok<CursorPage<EmailTemplateResponse>>, ValidationProblem>> ListEmailTemplates(
        MarketingDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await db.EmailTemplates.AsNoTracking().ToCursorPageAsync(page, EmailTemplateResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<EmailTemplateResponse>, ProblemHttpResult>> GetEmailTemplate(
        Guid id, MarketingDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var template = await db.EmailTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (template is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, template.Version);
        return TypedResults.Ok(EmailTemplateResponse.From(template));
    }

    public static async Task<Results<Created<EmailTemplateResponse>, ValidationProblem, ProblemHttpResult>> CreateEmailTemplate(
        EmailTemplateRequest request, MarketingDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (SyntaxProblem(request) is { } syntax)
        {
            return syntax;
        }
        var template = new EmailTemplate();
        Apply(request, template);
        db.EmailTemplates.Add(template);
        await db.SaveChangesAsync(cancellationToken);
        ETags.Set(response, template.Version);
        return TypedResults.Created($"/api/v1/email-templates/{template.Id}", EmailTemplateResponse.From(template));
    }

    public static async Task<Results<Ok<EmailTemplateResponse>, ValidationProblem, ProblemHttpResult>> UpdateEmailTemplate(
        Guid id, EmailTemplateRequest request, MarketingDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (SyntaxProblem(request) is { } syntax)
        {
            return syntax;
        }
        var template = await db.EmailTemplates.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (template is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, template.Version, out _) is { } precondition)
        {
            return precondition;
        }
        Apply(request, template);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, template.Version);
        return TypedResults.Ok(EmailTemplateResponse.From(template));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteEmailTemplate(
        Guid id, MarketingDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var template = await db.EmailTemplates.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (template is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, template.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await db.Campaigns.AnyAsync(c => c.TemplateId == id, cancellationToken))
        {
            return ApiProblems.Conflict($"The email template '{id}' is used by campaigns; it stays while they do.");
        }
        db.EmailTemplates.Remove(template);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<TemplatePreviewResponse>, ProblemHttpResult>> PreviewEmailTemplate(
        Guid id, TemplatePreviewRequest request, MarketingDbContext db, CancellationToken cancellationToken)
    {
        var template = await db.EmailTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (template is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        TemplateData data = new(null, null, null, null, "Preview", "https://example.invalid/unsubscribe");
        if (request.PersonId is { } personId)
        {
            var person = await db.DirectoryContacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == personId && !c.IsDeleted, cancellationToken);
            if (person is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Marketing knows no person '{personId}'.");
            }
            var profile = await db.RecipientProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.Id == personId, cancellationToken);
            data = data with { FirstName = profile?.FirstName, LastName = profile?.LastName, Email = person.Email, Language = profile?.Language };
        }
        var variant = template.For(data.Language);
        try
        {
            var rendered = await TemplateRenderer.RenderAsync(TemplateRenderer.Parse(variant), data);
            return TypedResults.Ok(new TemplatePreviewResponse(variant.Language, rendered.Subject, rendered.Html, rendered.Text));
        }
        catch (TemplateRenderException ex)
        {
            return ApiProblems.Unprocessable($"The template could not be rendered: {ex.Message}",
                new Dictionary<string, string[]> { ["template"] = [ex.Message] });
        }
    }

    /// <summary>Liquid that does not parse: 422, naming each part.</summary>
    private static ProblemHttpResult? SyntaxProblem(EmailTemplateRequest request)
    {
        var syntax = request.SyntaxErrors();
        return syntax.Count > 0
            ? ApiProblems.Unprocessable($"The template's Liquid does not parse in: {string.Join(", ", syntax.Keys)}.", syntax)
            : null;
    }

    private static void Apply(EmailTemplateRequest request, EmailTemplate template)
    {
        template.Name = request.Name!.Trim();
        template.Language = string.IsNullOrWhiteSpace(request.Language) ? "en" : request.Language.Trim();
        template.Subject = request.Subject!;
        template.Html = request.Html!;
        template.Text = request.Text!;
        template.Variants = (request.Variants ?? []).Select(v => new TemplateVariant(v.Language!.Trim(), v.Subject!, v.Html!, v.Text!)).ToList();
    }
}
