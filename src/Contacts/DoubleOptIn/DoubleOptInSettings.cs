namespace CrmPlatform.Contacts.DoubleOptIn;

/// <summary>Double opt-in and its email (section <c>DoubleOptIn</c>); the SMTP server is <c>ConnectionStrings__mail</c>.</summary>
public sealed class DoubleOptInSettings
{
    public const string Section = "DoubleOptIn";

    /// <summary>How long a confirmation link works; an unconfirmed request then expires and its consent is withdrawn.</summary>
    public TimeSpan RequestLifetime { get; set; } = TimeSpan.FromHours(48);

    /// <summary>The public address of the confirmation page; the link adds <c>?token=</c>. The gateway's route by default.</summary>
    public string ConfirmationUrl { get; set; } = "http://localhost:8080/api/v1/consents/confirm";

    /// <summary>The sender of confirmation emails.</summary>
    public string From { get; set; } = "CRM <no-reply@crm.localhost>";

    /// <summary>How often expired requests are looked for.</summary>
    public TimeSpan ExpiryCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between attempts to send one email while the SMTP server fails.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Confirmation attempts per client address and minute: the endpoint is anonymous, guessing must stay slow.</summary>
    public int ConfirmationsPerMinute { get; set; } = 10;
}
