using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Forms;

/// <summary>
/// A web form a tenant puts on its own site: which fields it asks for (each filling a person's or lead's field), which
/// consent boxes it shows (purpose × channel with the wording beside the box), whether consents are confirmed by double
/// opt-in, whether a submission also becomes a lead for Sales, and which sites may send it (CORS). Archived rather
/// than deleted: its submissions keep pointing at what the visitor saw.
/// </summary>
public sealed class WebForm : UnownedAuditedEntity
{
    public const int NameMaxLength = 200;
    public const int SuccessMessageMaxLength = 1000;
    public const int UrlMaxLength = 2000;

    public string Name { get; set; } = "";
    public IReadOnlyList<FormField> Fields { get; set; } = [];
    public IReadOnlyList<FormConsent> Consents { get; set; } = [];
    public bool DoubleOptIn { get; set; }
    public bool CreateLead { get; set; }
    public Guid? CampaignId { get; set; }
    /// <summary>Origins (<c>https://www.example.com</c>) whose pages may send the form from a script; none: only plain HTML posts.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; set; } = [];
    public string SuccessMessage { get; set; } = "";
    public string? RedirectUrl { get; set; }
    public DateTime? ArchivedAt { get; set; }
}

/// <param name="Key">The input's name on the page and in a submission.</param>
/// <param name="MapsTo">The person's or lead's field it fills (<see cref="FormFieldTargets"/>).</param>
/// <param name="Type"><c>text</c>, <c>email</c>, <c>tel</c> or <c>textarea</c>: how the snippet shows it.</param>
public sealed record FormField(string Key, string Label, string MapsTo, bool Required, string Type);

/// <param name="Text">The wording shown beside the box: what a person ticking it agrees to, kept as evidence with the consent.</param>
/// <param name="Required">The form is not sent without it (terms a form cannot do without); most consent boxes are optional.</param>
public sealed record FormConsent(string Purpose, string Channel, string Text, bool Required)
{
    /// <summary>The checkbox's name on the page and in a submission.</summary>
    public string Key => $"consent:{Purpose}:{Channel}";
}

/// <summary>The fields of a person or lead a form field may fill: what <c>FormSubmitted</c> carries.</summary>
public static class FormFieldTargets
{
    public const string FirstName = "firstName";
    public const string LastName = "lastName";
    public const string Email = "email";
    public const string Phone = "phone";
    public const string Company = "company";
    public const string Country = "country";
    public const string JobTitle = "jobTitle";
    public const string ProductInterest = "productInterest";
    public const string Message = "message";

    public static readonly IReadOnlyList<string> All = [FirstName, LastName, Email, Phone, Company, Country, JobTitle, ProductInterest, Message];

    public static readonly IReadOnlyList<string> Types = ["text", "email", "tel", "textarea"];

    /// <summary>What a value may hold, as the events' receivers keep it (Contacts' names are 100 characters).</summary>
    public static int MaxLength(string target) => target switch
    {
        Message => 10_000,
        Email => 320,
        _ => 200,
    };
}

/// <summary>
/// One submission as received (what the visitor typed, the boxes ticked and with which wording, where from), kept with
/// the <c>FormSubmitted</c> event that hands it on, in one commit.
/// </summary>
public sealed class FormSubmissionRecord : Entity
{
    public Guid FormId { get; set; }
    /// <summary>The submitted address, lower-cased: how a data subject request finds the person's submissions.</summary>
    public string? Email { get; set; }
    public IReadOnlyList<SubmittedValue> Values { get; set; } = [];
    public IReadOnlyList<GivenConsent> Consents { get; set; } = [];
    public string? IpAddress { get; set; }
    public string? UserAgent { get; set; }
    public string? PageUrl { get; set; }

    /// <summary>GDPR erasure: who sent it and what they typed go; that the form was sent, when, and which boxes, stay.</summary>
    public void ErasePersonalData()
    {
        (Email, Values, IpAddress, UserAgent, PageUrl) = (null, [], null, null, null);
    }
}

public sealed record SubmittedValue(string Key, string MapsTo, string Value);

public sealed record GivenConsent(string Purpose, string Channel, string Text);

internal static class WebFormModel
{
    public static ModelBuilder AddWebForms(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WebForm>(form =>
        {
            form.ToTable("web_forms");
            form.Property(f => f.Name).HasMaxLength(WebForm.NameMaxLength);
            form.Property(f => f.Fields).HasJsonColumn();
            form.Property(f => f.Consents).HasJsonColumn();
            form.Property(f => f.AllowedOrigins).HasJsonColumn();
            form.Property(f => f.SuccessMessage).HasMaxLength(WebForm.SuccessMessageMaxLength);
            form.Property(f => f.RedirectUrl).HasMaxLength(WebForm.UrlMaxLength);
            form.HasIndex(f => new { f.TenantId, f.CreatedAt, f.Id });
        });
        modelBuilder.Entity<FormSubmissionRecord>(submission =>
        {
            submission.ToTable("form_submissions");
            submission.Property(s => s.Values).HasJsonColumn();
            submission.Property(s => s.Consents).HasJsonColumn();
            submission.Property(s => s.IpAddress).HasMaxLength(45);
            submission.Property(s => s.UserAgent).HasMaxLength(500);
            submission.Property(s => s.PageUrl).HasMaxLength(WebForm.UrlMaxLength);
            submission.HasOne<WebForm>().WithMany().HasForeignKey(s => s.FormId).OnDelete(DeleteBehavior.Restrict);
            submission.Property(s => s.Email).HasMaxLength(320);
            submission.HasIndex(s => new { s.TenantId, s.FormId, s.CreatedAt });
            submission.HasIndex(s => new { s.TenantId, s.Email });
        });
        return modelBuilder;
    }
}
