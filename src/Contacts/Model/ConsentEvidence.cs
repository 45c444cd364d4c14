namespace CrmPlatform.Contacts.Model;

/// <summary>
/// What shows that a person really stated their consent, kept with every grant or withdrawal: the form they used and
/// where, the address and browser they sent it from, and when they confirmed it by double opt-in, as the collecting
/// system reports it. Every part is optional here; <see cref="ConsentRules"/> says which a statement needs.
/// </summary>
public sealed class ConsentEvidence
{
    public const int FormIdMaxLength = 200;
    public const int FormUrlMaxLength = 2000;
    public const int IpAddressMaxLength = 45;
    public const int UserAgentMaxLength = 500;
    public const int WordingMaxLength = 4000;

    public string? FormId { get; init; }
    public string? FormUrl { get; init; }
    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
    public DateTime? DoubleOptInConfirmedAt { get; init; }
    /// <summary>The double opt-in request the person confirmed (its link's token is stored only hashed), when the platform ran it.</summary>
    public Guid? DoubleOptInRequestId { get; init; }
    /// <summary>The consent text the person was shown (a web form's wording beside its box): what exactly they agreed to.</summary>
    public string? Wording { get; init; }

    public static ConsentEvidence None { get; } = new();
}
