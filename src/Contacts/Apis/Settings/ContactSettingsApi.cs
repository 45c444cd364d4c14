using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contacts.Settings;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis.Settings;

/// <summary><c>defaultCountry</c> (ISO 3166-1 alpha-2) and <c>defaultLocale</c> (BCP 47); null clears one.</summary>
public sealed record ContactSettingsBody(string? DefaultCountry, string? DefaultLocale);

public sealed record ContactSettingsResponse(string? DefaultCountry, string? DefaultLocale, DateTime? UpdatedAt, string? UpdatedBy, int Version)
{
    public static ContactSettingsResponse From(ContactSettings? s) =>
        s is null ? new(null, null, null, null, 0) : new(s.DefaultCountry, s.DefaultLocale, s.UpdatedAt, s.UpdatedBy, s.Version);
}

/// <summary>
/// The tenant's defaults for contact data (<c>/api/v1/contact-settings</c>): everyone reads them (clients show what
/// will be assumed), admins change them, guarded by the ETag like every versioned record (version 0 before the first PUT).
/// </summary>
public static class ContactSettingsApi
{
    public static RouteGroupBuilder MapContactSettingsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/contact-settings").WithTags("Contact settings");
        api.MapGet("/", GetContactSettings).RequirePermission(Permissions.ContactSettings, Operation.Read);
        api.MapPut("/", PutContactSettings).RequirePermission(Permissions.ContactSettings, Operation.Update);
        return api;
    }

    public static async Task<Ok<ContactSettingsResponse>> GetContactSettings(ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var settings = await db.Set<ContactSettings>().AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        ETags.Set(response, settings?.Version ?? 0);
        return TypedResults.Ok(ContactSettingsResponse.From(settings));
    }

    public static async Task<Results<Ok<ContactSettingsResponse>, ValidationProblem, ProblemHttpResult>> PutContactSettings(
        ContactSettingsBody body, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        string? country = null, locale = null;
        if (body.DefaultCountry is not null && !Countries.TryNormalize(body.DefaultCountry, out country))
        {
            errors.Add("defaultCountry", "defaultCountry must be an ISO 3166-1 alpha-2 code (DE, GB, US), or null for none.");
        }
        if (body.DefaultLocale is not null && !LanguageTag.TryNormalize(body.DefaultLocale, out locale))
        {
            errors.Add("defaultLocale", "defaultLocale must be a BCP 47 language tag such as de-DE or en-GB, or null for none.");
        }
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var settings = await db.Set<ContactSettings>().SingleOrDefaultAsync(cancellationToken);
        if (ETags.CheckIfMatch(http.Request, settings?.Version ?? 0, out _) is { } precondition)
        {
            return precondition;
        }
        if (settings is null)
        {
            settings = new ContactSettings();
            db.Set<ContactSettings>().Add(settings);
        }
        (settings.DefaultCountry, settings.DefaultLocale) = (country, locale);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two first PUTs at once: the tenant's unique row, or a version that moved on.
            return ApiProblems.ConcurrentUpdate("contact settings", db.CurrentTenantId);
        }
        ETags.Set(http.Response, settings.Version);
        return TypedResults.Ok(ContactSettingsResponse.From(settings));
    }
}
